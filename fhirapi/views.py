"""The /fhir/ endpoints: read and search, `application/fhir+json`, token or session auth (as /api/v1/), errors as
OperationOutcome. Thin: each view parses its id or search parameters, reads through `reads`, builds with
`resources`/`bundle`."""
import datetime
import re

from django.conf import settings
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api import exception_handler as api_exception_handler
from core.api_auth import API_AUTHENTICATION
from core.exceptions import NotFound

from . import bundle as b
from . import conformance, reads
from . import resources as r
from .codes import OWN_ID

ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               406: "not-supported", 409: "conflict", 429: "throttled"}


class FHIRRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class PlainJSONRenderer(JSONRenderer):
    """Plain application/json too, for clients that ask for it."""


class BadSearch(Exception):
    """A search parameter in a form we do not take: 400 with the reason."""


class NoMatch(Exception):
    """The search names a patient the caller cannot see (or that does not exist): an empty Bundle."""


def fhir_exception_handler(exc, context):
    if isinstance(exc, BadSearch):
        return Response(conformance.operation_outcome("invalid", str(exc)), status=400)
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    message = data.get("detail") if isinstance(data, dict) and "detail" in data else data
    response.data = conformance.operation_outcome(ISSUE_CODES.get(response.status_code, "processing"), str(message))
    return response


class FHIRView(APIView):
    authentication_classes = API_AUTHENTICATION
    renderer_classes = (FHIRRenderer, PlainJSONRenderer)
    schema = None  # not part of the OpenAPI schema of /api/v1/: FHIR describes itself at /fhir/metadata
    #: search parameters a view takes (others are refused with a 400 in plain words)
    search_params: tuple = ()
    ignored_params = ("_format", "_pretty", "_count", "_summary")

    def get_exception_handler(self):
        return fhir_exception_handler

    def base(self) -> str:
        return self.request.build_absolute_uri(reverse("fhir:metadata")).rsplit("/metadata", 1)[0]

    def check_params(self):
        for name in self.request.query_params:
            if name not in self.search_params and name not in self.ignored_params:
                raise BadSearch(f"Unknown search parameter '{name}'. This endpoint takes: "
                                f"{', '.join(self.search_params) or 'none'}.")

    def searchset(self, resources):
        return Response(b.bundle(resources, self.base(), self_url=self.request.build_absolute_uri()))

    def patient_param(self, required=False):
        values = [v for name in ("patient", "subject") for v in self.request.query_params.getlist(name)]
        if not values:
            if required:
                raise BadSearch("Give the athlete: ?patient=<Patient id>.")
            return None
        if len(set(values)) > 1:
            raise BadSearch("Give one patient only.")
        raw = values[0].rstrip("/").rsplit("Patient/", 1)[-1]
        try:
            return reads.athlete(self.request.user, raw)
        except NotFound:
            raise NoMatch() from None

    def handle_exception(self, exc):
        if isinstance(exc, NoMatch):  # a patient the caller cannot see: an empty result, as for one that is not
            return self.searchset([])
        return super().handle_exception(exc)


class Metadata(FHIRView):
    permission_classes = (AllowAny,)

    def get(self, request):
        return Response(conformance.capability_statement(self.base(), software_version=getattr(settings, "VERSION", "0.1.0"),
                                               now=clock.now()))


class CodeSystemRead(FHIRView):
    permission_classes = (AllowAny,)

    def get(self, request, pk):
        if pk != OWN_ID:
            raise NotFound("No such code system.")
        return Response(conformance.code_system(self.base()))


class QuestionnaireRead(FHIRView):
    def get(self, request, pk):
        if pk != r.QUESTIONNAIRE_ID:
            raise NotFound("No such questionnaire.")
        return Response(r.questionnaire(self.base()))


class PatientRead(FHIRView):
    def get(self, request, pk):
        return Response(r.patient(reads.athlete(request.user, pk), self.base()))


class PatientSearch(FHIRView):
    search_params = ("_id",)

    def get(self, request):
        self.check_params()
        rows = reads.athletes(request.user).order_by("last_name", "first_name", "pk")
        if "_id" in request.query_params:
            ids = [v for v in request.query_params.get("_id").split(",") if v.isdecimal() and len(v) < 19]
            rows = rows.filter(pk__in=ids)
        return self.searchset([r.patient(a, self.base()) for a in rows[:500]])


class PatientEverything(FHIRView):
    def get(self, request, pk):
        athlete = reads.athlete(request.user, pk)
        return Response(b.patient_everything(athlete, request.user, base=self.base()))


class PractitionerRead(FHIRView):
    def get(self, request, pk):
        return Response(r.practitioner(reads.practitioner(request.user, pk), self.base()))


def _conditions(actor, athlete_id, base):
    plans = list(reads.plans(actor, athlete_id=athlete_id))
    open_ids = {p.injury_id for p in plans if p.status != "completed"}
    done_ids = {p.injury_id for p in plans if p.status == "completed"} - open_ids
    return [r.condition(i, base, resolved=i.pk in done_ids)
            for i in reads.injuries(actor, athlete_id=athlete_id).order_by("date_of_injury", "pk")]


class ConditionRead(FHIRView):
    def get(self, request, pk):
        injury = reads.injury(request.user, pk)
        match = [c for c in _conditions(request.user, injury.athlete_id, self.base()) if c["id"] == str(injury.pk)]
        return Response(match[0])


class ConditionSearch(FHIRView):
    search_params = ("patient", "subject")

    def get(self, request):
        self.check_params()
        athlete = self.patient_param(required=True)
        return self.searchset(_conditions(request.user, athlete.pk, self.base()))


OBSERVATION_ID = re.compile(r"^(session|report|assessment)-([0-9]{1,18})-([a-z-]{1,30})$")


class ObservationRead(FHIRView):
    def get(self, request, pk):
        match = OBSERVATION_ID.match(pk)
        if not match:
            raise NotFound("No such observation.")
        source, row_id, _ = match.groups()
        base = self.base()
        if source == "session":
            log = reads.session_log(request.user, row_id)
            found = r.session_observations(log, base, side=log.plan.injury.side if log.plan_id else None)
        elif source == "report":
            found = r.report_observations(reads.report(request.user, row_id), base)
        else:
            found = r.assessment_observations(reads.assessment(request.user, row_id), base)
        for obs in found:
            if obs["id"] == pk:
                return Response(obs)
        raise NotFound("No such observation.")


DATE_PARAM = re.compile(r"^(eq|ge|gt|le|lt)?([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def date_interval(value: str):
    """(prefix, first day, last day) of a FHIR date search value: 2026, 2026-11 or 2026-11-03 after eq|ge|gt|le|lt."""
    match = DATE_PARAM.match(value.split("T", 1)[0])  # a time part is ignored: effective dates are days
    if not match:
        raise BadSearch(f"'{value}' is not a date search value: write e.g. ge2026-11-01 (prefixes eq, ge, gt, le, lt).")
    prefix, year, month, day = match.groups()
    try:
        if day:
            start = end = datetime.date(int(year), int(month), int(day))
        elif month:
            start = datetime.date(int(year), int(month), 1)
            end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        else:
            start, end = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
    except ValueError:
        raise BadSearch(f"'{value}' is not a real date.") from None
    return prefix or "eq", start, end


def date_matches(effective: datetime.date, prefix, start, end) -> bool:
    return {"eq": start <= effective <= end, "ge": effective >= start, "gt": effective > end,
            "le": effective <= end, "lt": effective < start}[prefix]


class ObservationSearch(FHIRView):
    search_params = ("patient", "subject", "date", "code")

    def get(self, request):
        self.check_params()
        # Every parameter is checked before the patient is looked up: bad input is a 400 whoever it names.
        dates = [date_interval(v) for v in request.query_params.getlist("date")]
        codes = []
        for value in request.query_params.getlist("code"):
            for token in value.split(","):
                system, _, code = token.rpartition("|")
                if not code:
                    raise BadSearch(f"'{token}' is not a code: write code or system|code.")
                codes.append((system, code))
        athlete = self.patient_param(required=True)
        out = []
        for obs in b.observations(request.user, athlete, self.base()):
            effective = datetime.date.fromisoformat(obs["effectiveDateTime"][:10])
            if not all(date_matches(effective, *d) for d in dates):
                continue
            if codes and not any(c["code"] == code and (not system or c.get("system") == system)
                                 for c in obs["code"]["coding"] for system, code in codes):
                continue
            out.append(obs)
        return self.searchset(out)


class QuestionnaireResponseRead(FHIRView):
    def get(self, request, pk):
        return Response(r.questionnaire_response(reads.report(request.user, pk), self.base()))


class QuestionnaireResponseSearch(FHIRView):
    search_params = ("patient", "subject")

    def get(self, request):
        self.check_params()
        athlete = self.patient_param(required=True)
        return self.searchset([r.questionnaire_response(rep, self.base())
                               for rep in reads.reports(request.user, athlete_id=athlete.pk)])


class PlanDefinitionRead(FHIRView):
    def get(self, request, pk):
        return Response(r.plan_definition(reads.protocol(request.user, pk), self.base()))


class PlanDefinitionSearch(FHIRView):
    """By canonical: ?url=<base>/PlanDefinition/<slug> and optionally &version=<n> (what a CarePlan's
    instantiatesCanonical names, url|version)."""
    search_params = ("url", "version")

    def get(self, request):
        self.check_params()
        url = request.query_params.get("url", "")
        if "|" in url:
            url, _, version = url.partition("|")
        else:
            version = request.query_params.get("version", "")
        rows = reads.protocols(request.user).order_by("slug", "version")
        out = [r.plan_definition(p, self.base()) for p in rows]
        if url:
            out = [pd for pd in out if pd["url"] == url]
        if version:
            out = [pd for pd in out if pd["version"] == version]
        return self.searchset(out)


class CarePlanRead(FHIRView):
    def get(self, request, pk):
        care_plan, _ = b.plan_resources(request.user, reads.plan(request.user, pk), self.base())
        return Response(care_plan)


class CarePlanSearch(FHIRView):
    search_params = ("patient", "subject")

    def get(self, request):
        self.check_params()
        athlete = self.patient_param(required=True)
        return self.searchset([b.plan_resources(request.user, p, self.base())[0]
                               for p in reads.plans(request.user, athlete_id=athlete.pk)])


GOAL_ID = re.compile(r"^plan-([0-9]{1,18})-exit-[A-Za-z0-9.-]{1,40}$")


class GoalRead(FHIRView):
    def get(self, request, pk):
        match = GOAL_ID.match(pk)
        if not match:
            raise NotFound("No such goal.")
        _, goals = b.plan_resources(request.user, reads.plan(request.user, match.group(1)), self.base())
        for goal in goals:
            if goal["id"] == pk:
                return Response(goal)
        raise NotFound("No such goal (a goal is an exit criterion of the plan's current phase).")


class GoalSearch(FHIRView):
    search_params = ("patient", "subject")

    def get(self, request):
        self.check_params()
        athlete = self.patient_param(required=True)
        out = []
        for p in reads.plans(request.user, athlete_id=athlete.pk):
            out.extend(b.plan_resources(request.user, p, self.base())[1])
        return self.searchset(out)
