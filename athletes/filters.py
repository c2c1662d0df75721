"""The athletes lists' filters, shared by the pages and the API. Every filter narrows a queryset a selector already scoped."""
from django_filters import rest_framework as filters

from core.filters import IdFilter, date_range

from .models import Athlete, Injury


class AthleteFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", label="Team id")

    class Meta:
        model = Athlete
        fields = ["team"]


class InjuryFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete_id", label="Athlete id")
    team = IdFilter(field_name="athlete__team_id", label="Team id")
    date_from, date_to = date_range("date_of_injury")

    class Meta:
        model = Injury
        fields = ["athlete", "team", "date_from", "date_to"]
