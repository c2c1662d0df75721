"""Filters shared by pages and the API: one django-filter FilterSet per list, applied inside the selectors.

Every filter narrows a queryset a selector has already scoped to the acting user, so a filter can never widen what
someone sees. The API's filter backend and the pages' selectors use the same FilterSet classes.
"""
from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters

#: Ids are bigints: anything outside 1 .. 2**63-1 cannot exist (SQLite raises OverflowError past it).
MAX_ID = 2**63 - 1


class IdFormField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(filters.Filter):
    """Filter on a foreign key id; a bounded integer (an unknown id simply matches nothing)."""

    field_class = IdFormField


def date_range(field_name: str):
    """`date_from` / `date_to`: inclusive bounds, ISO 8601 dates, on `field_name`."""
    return (
        filters.DateFilter(field_name=field_name, lookup_expr="gte",
                           label="On or after this day (ISO 8601 date, inclusive)"),
        filters.DateFilter(field_name=field_name, lookup_expr="lte",
                           label="On or before this day (ISO 8601 date, inclusive)"),
    )


def apply_filters(filterset_class, data, queryset, *, strict: bool = True):
    """`queryset` narrowed by `data` (a query dict) through `filterset_class`.

    strict: a bad value is a ValidationError naming the field (the API's 400). Not strict (pages): bad values are
    left out, as if not given.
    """
    if not data:
        return queryset
    filterset = filterset_class(data, queryset=queryset)
    if filterset.is_valid():
        return filterset.qs
    if strict:
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    good = {name: value for name, value in data.items() if name not in filterset.errors}
    return filterset_class(good, queryset=queryset).qs
