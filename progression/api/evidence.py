"""The evidence endpoints: session logs, next-morning reports and assessments, read and entered. Entering goes
through `progression.evidence` (enter, then decide), which is why these live above `sessions`.

Thin API views: selectors for every read (given request.user), services for every write.

Creating a session log or a next-morning report is idempotent on `client_id`: 201 the first time, 200 with
the first record on a retry with the same values, 409 (core.api) when the values differ.
"""
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from athletes.selectors import athlete_for_user
from core import clock
from core.api_base import (
    FIELD_ERRORS,
    ApiMixin,
    ApiPagination,
    ConflictSerializer,
    ErrorSerializer,
    ReadAnyWriteClinician,
    parse_pk,
)
from sessions import selectors
from sessions.api.serializers import (
    AssessmentInput,
    AssessmentOutput,
    SessionLogInput,
    SessionLogOutput,
    SymptomReportInput,
    SymptomReportOutput,
)
from sessions.filters import AssessmentFilter, SessionLogFilter, SymptomReportFilter

from .. import evidence

NOT_FOUND = {404: ErrorSerializer}
CLIENT_ID = "3f0c1f8e-8a5e-4d55-9a53-0c1e4ad4b6a1"

SESSION_EXAMPLE = {
    "client_id": CLIENT_ID, "athlete": 12, "date": "2025-03-10", "pain_during": 1, "rpe": 6, "minutes": 45, "reps_done": 8,
    "peak_speed_pct": 72.5, "full_session": False, "red_flag": False, "notes": "Strides felt smooth.",
}
SESSION_RESPONSE = {
    "id": 101, "athlete": 12, "plan": 7, "date": "2025-03-10", "phase": 2, "pain_during": 1, "rpe": "6.0",
    "minutes": 45, "load": "270.0", "reps_done": 8, "strength_lsi": None, "strength_method": "", "technique": None,
    "technique_fresh": None, "technique_fatigued": None, "peak_speed_pct": "72.5", "efforts_95": None,
    "full_session": False, "red_flag": False, "apprehension": None, "notes": "Strides felt smooth.",
    "symptom_report": None, "client_id": CLIENT_ID, "logged_by": 31, "logged_at": "2025-03-10T18:02:11.512000Z",
}
REPORT_EXAMPLE = {"client_id": "b7e2d0c4-0c43-4f7e-9d6b-2f3f1c0e9a77", "session_log": 101, "soreness_24h": 1,
                  "sleep_quality": 4, "fatigue": 2, "notes": ""}
REPORT_RESPONSE = {"id": 88, "session_log": 101, "athlete": 12, "session_date": "2025-03-10", "soreness_24h": 1,
                   "sleep_quality": 4, "fatigue": 2, "notes": "", "client_id": "b7e2d0c4-0c43-4f7e-9d6b-2f3f1c0e9a77",
                   "reported_by": 31, "reported_at": "2025-03-11T07:40:00Z"}
CONFLICT_EXAMPLE = OpenApiExample(
    "Same client_id, other values", response_only=True, status_codes=["409"], value={
        "detail": "This session was already submitted with different values (pain_during). Nothing was changed; "
                  "if you meant to submit a new one, use a new id.", "code": "conflict"})


def _athlete_today(athlete):
    return clock.now().astimezone(athlete.organisation.tz).date()


@extend_schema_view(
    list=extend_schema(summary="List session logs"),
    retrieve=extend_schema(summary="A session log", responses={200: SessionLogOutput, **NOT_FOUND}),
)
@extend_schema(tags=["session logs"])
class SessionLogViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Athletes log their own sessions; a coach or clinician may log for an athlete they look after."""

    permission_classes = (IsAuthenticated,)
    serializer_class = SessionLogOutput
    pagination_class = ApiPagination
    filterset_class = SessionLogFilter
    ordering_fields = ["date", "logged_at", "pain_during", "rpe", "minutes"]

    def get_queryset(self):
        return selectors.session_log_list(user=self.request.user)

    def retrieve(self, request, pk):
        return Response(SessionLogOutput(selectors.session_log_get(user=request.user, pk=parse_pk(pk, "session"))).data)

    @extend_schema(
        summary="Log a session (idempotent on client_id)",
        description="201 with the new log; 200 with the first log when this `client_id` was already used with the "
                    "same values; 409 when it was used with other values. Logging re-evaluates the active plan.",
        request=SessionLogInput,
        responses={201: SessionLogOutput, 200: SessionLogOutput, 400: FIELD_ERRORS, 409: ConflictSerializer},
        examples=[
            OpenApiExample("Phase 2 strides", request_only=True, value=SESSION_EXAMPLE),
            OpenApiExample("Logged", response_only=True, status_codes=["201", "200"], value=SESSION_RESPONSE),
            CONFLICT_EXAMPLE,
        ],
    )
    def create(self, request):
        data = SessionLogInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        client_id = fields.pop("client_id", None)
        athlete = fields.pop("athlete", None) or athlete_for_user(user=request.user)
        if athlete is None:
            raise ValidationError({"athlete": "Say which athlete the session is for."})
        if "date" not in fields:
            # Left out: the day of the first submission on a retry, else the athlete's today.
            first = selectors.session_log_list(user=request.user).filter(client_id=client_id).first() if client_id else None
            fields["date"] = first.date if first is not None else _athlete_today(athlete)
        log, created = evidence.session_log_enter(actor=request.user, athlete=athlete, client_id=client_id, **fields)
        log = selectors.session_log_get(user=request.user, pk=log.pk)
        return Response(SessionLogOutput(log).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="List next-morning reports"),
    retrieve=extend_schema(summary="A next-morning report", responses={200: SymptomReportOutput, **NOT_FOUND}),
)
@extend_schema(tags=["symptom reports"])
class SymptomReportViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Next-morning reports: soreness in the injured thigh, with sleep and fatigue."""

    permission_classes = (IsAuthenticated,)
    serializer_class = SymptomReportOutput
    pagination_class = ApiPagination
    filterset_class = SymptomReportFilter
    ordering_fields = ["reported_at", "soreness_24h"]

    def get_queryset(self):
        return selectors.symptom_report_list(user=self.request.user)

    def retrieve(self, request, pk):
        report = selectors.symptom_report_get(user=request.user, pk=parse_pk(pk, "report"))
        return Response(SymptomReportOutput(report).data)

    @extend_schema(
        summary="Send the next-morning report for a session (idempotent on client_id)",
        description="One report per session. 201 the first time; 200 with the first report on a retry with the same "
                    "values; 409 when the values differ. Re-evaluates the active plan.",
        request=SymptomReportInput,
        responses={201: SymptomReportOutput, 200: SymptomReportOutput, 400: FIELD_ERRORS, 409: ConflictSerializer},
        examples=[
            OpenApiExample("Settled overnight", request_only=True, value=REPORT_EXAMPLE),
            OpenApiExample("Reported", response_only=True, status_codes=["201", "200"], value=REPORT_RESPONSE),
        ],
    )
    def create(self, request):
        data = SymptomReportInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        report, created = evidence.symptom_report_enter(
            actor=request.user, session_log=fields.pop("session_log"), client_id=fields.pop("client_id", None), **fields)
        report = selectors.symptom_report_get(user=request.user, pk=report.pk)
        return Response(SymptomReportOutput(report).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="List assessments"),
    retrieve=extend_schema(summary="An assessment", responses={200: AssessmentOutput, **NOT_FOUND}),
)
@extend_schema(tags=["assessments"])
class AssessmentViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Clinical assessments: read by the care team; recorded by clinicians."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = AssessmentOutput
    pagination_class = ApiPagination
    filterset_class = AssessmentFilter
    ordering_fields = ["assessed_on", "created_at"]

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user)

    def retrieve(self, request, pk):
        assessment = selectors.assessment_get(user=request.user, pk=parse_pk(pk, "assessment"))
        return Response(AssessmentOutput(assessment).data)

    @extend_schema(
        summary="Record an assessment (clinicians)", request=AssessmentInput, responses={201: AssessmentOutput, 400: FIELD_ERRORS},
        examples=[OpenApiExample("Isometric 90/90 retest", request_only=True, value={
            "injury": 6, "assessed_on": "2025-03-10", "pain_palpation": 1, "ake_deficit_deg": 8,
            "strength_method": "iso_90_90", "strength_injured_n": 312, "strength_uninjured_n": 355})],
    )
    def create(self, request):
        data = AssessmentInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        injury = fields.pop("injury")
        fields.setdefault("assessed_on", _athlete_today(injury.athlete))
        assessment = evidence.assessment_enter(actor=request.user, injury=injury, **fields)
        assessment = selectors.assessment_get(user=request.user, pk=assessment.pk)
        return Response(AssessmentOutput(assessment).data, status=status.HTTP_201_CREATED)
