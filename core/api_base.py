"""Building blocks every API view shares: role permissions, scoped references, ids, paging, safe JSON bodies.
Authentication and its throttles are in `core.api_auth`.

Conventions (the API permission matrix in tests/api/ holds every endpoint to them):
- Authentication: token first, then the session. An anonymous request gets **401** with
  `WWW-Authenticate: Token` (DRF answers 401 only when the first authentication class names a header).
- A role that may not use an endpoint at all gets **403** (checked before any lookup, like the pages).
- An object outside the caller's scope, addressed in the URL, is **404**, exactly as a missing one.
- An object outside the caller's scope, referenced in a request body, is a **400** field error worded
  exactly as for an id that does not exist: the id leaks nothing either way.
- Request bodies are JSON (415 otherwise); fields are snake_case; dates and times ISO 8601 (times in UTC,
  "Z"). Requests may send decimals as numbers (6.5, as the schema documents) or strings; answers give them as
  strings ("6.5") so that no precision is lost. More decimal places than stored is a 400, never rounded.
"""
import json
import math

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated

from . import validation
from .access import access_for
from .api_auth import API_AUTHENTICATION
from .exceptions import NotFound
from .filters import MAX_ID  # ids are bigints: nothing outside 1 .. 2**63-1 may reach the database


def parse_pk(value, what: str = "object") -> int:
    """A URL id as an int, or NotFound (404) for anything that cannot be an id."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        raise NotFound(f"No such {what}.") from None
    if not 1 <= pk <= MAX_ID:
        raise NotFound(f"No such {what}.")
    return pk



# --- request bodies -------------------------------------------------------------------------------------

def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is out of range")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class SafeJSONParser(JSONParser):
    """JSON bodies, with limits people cannot push past into a 500.

    - Size: at most `settings.API_MAX_JSON_BYTES` (the reader stops one byte past it): 400.
    - Depth: at most `settings.MAX_JSON_DEPTH` levels, checked on the text *before* parsing, so a 50,000-deep
      body is a 400, never a RecursionError.
    - Numbers: NaN, Infinity and literals out of float range (1e400) are a 400.
    - NUL characters anywhere (keys or strings) are a 400 naming the field: PostgreSQL cannot store them.
    """

    #: A subclass may allow larger bodies (e.g. a device file sent base64-encoded): a callable returning bytes.
    max_bytes = None

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.max_bytes() if self.max_bytes else getattr(settings, "API_MAX_JSON_BYTES", 1024 * 1024)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise ParseError(f"The request body is larger than {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = raw.decode(encoding)
            depth_limit = validation.max_json_depth()
            if validation.json_nesting_depth(text, stop_above=depth_limit) > depth_limit:
                raise ParseError(validation.too_deep_message(depth_limit))
            data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
        except ValueError as exc:  # includes UnicodeDecodeError and json.JSONDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
        try:
            validation.check_no_nul(data)
        except DjangoValidationError:
            where = validation.find_nul(data)
            field = where.split(".", 1)[0].split("[", 1)[0] if isinstance(data, dict) else "non_field_errors"
            detail = validation.NUL_MESSAGE if where in (field, "(the value)") else f"{validation.NUL_MESSAGE} (at {where})"
            raise serializers.ValidationError({field or "non_field_errors": [detail]}) from None
        return data


# --- permissions --------------------------------------------------------------------------------------------

class IsClinician(BasePermission):
    message = "Only clinicians can do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access_for(request.user).is_clinician)


class IsAthlete(BasePermission):
    message = "These endpoints are for athletes: your login is not an athlete's."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access_for(request.user).is_athlete)


class ReadAnyWriteClinician(BasePermission):
    """Reads for every logged-in role (the selectors scope them); writes for clinicians only."""

    message = "Only clinicians can do this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return access_for(request.user).is_clinician


class ApiMixin:
    # What every API view starts from: the authentication order above, logged-in users only.
    # (A comment, not a docstring: the schema would show a docstring as every operation's description.)
    # Request bodies are JSON only (415 otherwise): what phones and integrations send, and one media type in the
    # schema instead of three (form encodings cannot say null).
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    parser_classes = (SafeJSONParser,)


# --- paging ------------------------------------------------------------------------------------------------

class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- scoped references in request bodies ------------------------------------------------------------------

@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a request body, looked up through a selector given the acting user.

    Another organisation's id reads exactly like one that does not exist.
    """

    default_error_messages = {
        "does_not_exist": "No such {what} (id {pk_value}).",
        "incorrect_type": "Expected an id (a positive whole number), got {data_type}.",
    }

    def __init__(self, *, selector, what: str, **kwargs):
        self.selector = selector
        self.what = what
        kwargs.setdefault("queryset", None)
        if kwargs.get("read_only"):
            kwargs.pop("queryset")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(user=request.user if request is not None else None)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= pk <= MAX_ID:
            self.fail("does_not_exist", pk_value=data, what=self.what)
        queryset = self.get_queryset()
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", pk_value=data, what=self.what)

    def fail(self, key, **kwargs):
        kwargs.setdefault("what", self.what)
        return super().fail(key, **kwargs)


# --- decimals in request bodies -----------------------------------------------------------------------------

class NumberInputMixin:
    """An input serializer whose decimals are documented as JSON numbers with their bounds (6.5, not "6.5").

    Strings are still accepted; answers keep decimals as strings so that no precision is lost.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, serializers.DecimalField):
                field.coerce_to_string = False


# --- choices with a stable name in the schema -------------------------------------------------------------

def blank_choice(choices, **kwargs) -> serializers.ChoiceField:
    """A read-only choice that may be "" (ModelSerializer drops allow_blank on read-only fields, and the schema with it)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True, **kwargs)


# --- error bodies, for the schema ------------------------------------------------------------------------

class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What conflicts, in plain words; nothing was changed.")
    code = serializers.CharField(help_text='Always "conflict".')


FIELD_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Bad input: each field's name with a list of plain-word messages (`non_field_errors` for the rest). "
                "Nothing was changed.",
    examples=[OpenApiExample("Out of range", value={"pain_during": ["Ensure this value is less than or equal to 10."]},
                             response_only=True, status_codes=["400"])],
)
