"""Thin API views: selectors for every read (given request.user), services for every write."""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from athletes import selectors as athlete_selectors
from core import clock
from core.api_base import (
    FIELD_ERRORS,
    ApiMixin,
    ApiPagination,
    ConflictSerializer,
    ErrorSerializer,
    IsAthlete,
    ReadAnyWriteClinician,
    parse_pk,
)
from core.exceptions import NotFound
from sessions import selectors as session_selectors

from .. import selectors, services
from ..engine_io import definition_from_json
from ..filters import DecisionFilter, PlanFilter, ProtocolFilter
from ..models import Decision
from ..selectors import plan_day, plan_week
from .serializers import (
    DecisionDetailOutput,
    DecisionOutput,
    MeOutput,
    MeProgressOutput,
    OverrideInput,
    PlanInput,
    PlanOutput,
    ProtocolCloneInput,
    ProtocolDetailOutput,
    ProtocolOutput,
    RejectInput,
    SignOffInput,
    WeekPrescriptionOutput,
    WeekQuery,
)

NOT_FOUND = {404: ErrorSerializer}


def _local_today(athlete) -> datetime.date:
    return clock.now().astimezone(athlete.organisation.tz).date()


def _with_plan_extras(queryset):
    # The protocol's definition (about 21 KB of JSON) is not shown: not loaded, not decoded, once per row.
    return queryset.defer("protocol__definition").prefetch_related("protocol__phases")


def _plan(user, pk):
    plan = selectors.plan_get(user=user, pk=parse_pk(pk, "plan"))
    plan = _with_plan_extras(selectors.plan_list(user=user)).get(pk=plan.pk)
    selectors.plans_attach_latest_decisions([plan])
    return plan


def _week_of(plan, params) -> dict:
    query = WeekQuery(data=params)
    query.is_valid(raise_exception=True)
    if "year" in query.validated_data:
        year, week = query.validated_data["year"], query.validated_data["week"]
    else:
        year, week, _ = _local_today(plan.injury.athlete).isocalendar()
    try:
        return plan_week(plan, iso_year=year, iso_week=week).to_dict()
    except ValueError as exc:
        raise ValidationError({"non_field_errors": str(exc)}) from None


WEEK_PARAMETERS = [WeekQuery]
WEEK_EXAMPLE = {
    "protocol": "hamstring-rts", "version": 1, "phase": 2, "phase_name": "Accelerations and strides",
    "focus": "Phase 2: accelerations and strides", "iso_year": 2025, "iso_week": 11, "training_days": [1, 3, 5],
    "days": [{"date": "2025-03-10", "weekday": 1, "weekday_name": "Monday", "items": [{
        "block": "sprint", "name": "Strides", "description": "Build 20 m, hold 20 m, ease 20 m.", "sets": "1",
        "reps": "4-6", "distance_m": "60", "build_m": None, "fly_m": None, "sets_min": 1, "sets_max": 1, "reps_min": 4,
        "reps_max": 6, "distance_m_min": 60, "distance_m_max": 60, "build_m_min": None, "build_m_max": None,
        "fly_m_min": None, "fly_m_max": None, "intensity_pct_min": 70, "intensity_pct_max": 75, "rest_s_min": 90,
        "rest_s_max": 120, "notes": None, "target_speed_mps_min": 7.28, "target_speed_mps_max": 7.8,
        "splits": [{"distance_m": 60, "split_s_min": 7.69, "split_s_max": 8.24}]}]}],
    "warnings": [], "vmax_mps": 10.4,
}


# --- plans -----------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List plans", description="Each with its current phase and latest decision."),
    retrieve=extend_schema(summary="A plan", responses={200: PlanOutput, **NOT_FOUND}),
)
@extend_schema(tags=["plans"])
class PlanViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Plans: an injury's way back to sprinting, phase by phase; started by clinicians."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = PlanOutput
    pagination_class = ApiPagination
    filterset_class = PlanFilter
    ordering_fields = ["created_at", "start_date", "current_phase", "updated_at"]

    def get_queryset(self):
        return _with_plan_extras(selectors.plan_list(user=self.request.user))

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            page = list(queryset)
        # After paging: the latest decision of the page's plans only (one query, summaries only).
        selectors.plans_attach_latest_decisions(page)
        data = self.get_serializer(page, many=True).data
        return self.get_paginated_response(data) if self.paginator is not None else Response(data)

    def retrieve(self, request, pk):
        return Response(PlanOutput(_plan(request.user, pk)).data)

    @extend_schema(
        summary="Start a plan for an injury (clinicians)", request=PlanInput,
        responses={201: PlanOutput, 400: FIELD_ERRORS, 409: ConflictSerializer},
        description="409 when the injury already has an open (active or paused) plan, including when another "
                    "request started one a moment ago.",
        examples=[OpenApiExample("From P0 on the default protocol", request_only=True, value={
            "injury": 6, "protocol": 1, "start_phase": 0, "start_date": "2025-03-03", "advance_requires_signoff": True})],
    )
    def create(self, request):
        data = PlanInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        plan = services.plan_start(actor=request.user, **data.validated_data)
        return Response(PlanOutput(_plan(request.user, plan.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The plan's week prescription", parameters=WEEK_PARAMETERS,
        description="What the plan's current phase prescribes for an ISO week (default: the athlete's current week), "
                    "with target speeds and splits where the athlete's maximal velocity is known.",
        responses={200: WeekPrescriptionOutput, 400: FIELD_ERRORS, **NOT_FOUND},
        examples=[OpenApiExample("Phase 2, three days", response_only=True, value=WEEK_EXAMPLE)],
    )
    @action(detail=True, methods=["get"], url_path="week", url_name="week")
    def week(self, request, pk):
        plan = selectors.plan_get(user=request.user, pk=parse_pk(pk, "plan"))
        return Response(_week_of(plan, request.query_params))


# --- decisions -------------------------------------------------------------------------------------------

DECISION_RESPONSES = {200: DecisionDetailOutput, 400: FIELD_ERRORS, **NOT_FOUND, 409: ConflictSerializer}


@extend_schema_view(
    list=extend_schema(summary="List decisions"),
    retrieve=extend_schema(summary="A decision, with the inputs it read", responses={200: DecisionDetailOutput, **NOT_FOUND}),
)
@extend_schema(tags=["decisions"])
class DecisionViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Decisions the engine took; clinicians sign off, reject or override them."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = DecisionOutput
    pagination_class = ApiPagination
    filterset_class = DecisionFilter
    ordering_fields = ["created_at", "decided_on"]

    def get_queryset(self):
        return selectors.decision_list(user=self.request.user)

    def _get(self, pk) -> Decision:
        return selectors.decision_get(user=self.request.user, pk=parse_pk(pk, "decision"))

    def _answer(self, decision):
        return Response(DecisionDetailOutput(self._get(decision.pk)).data)

    def retrieve(self, request, pk):
        return Response(DecisionDetailOutput(self._get(pk)).data)

    @extend_schema(
        summary="Sign off an advance (clinicians)", request=SignOffInput, responses=DECISION_RESPONSES,
        description="Applies an advance that waits for a clinician: the plan moves to the decision's `to_phase`.",
        examples=[OpenApiExample("With the plan version you saw", request_only=True, value={"version": 4}),
                  OpenApiExample("Plan changed meanwhile", response_only=True, status_codes=["409"], value={
                      "detail": "This plan was changed by someone else while you were looking at it. Reload the "
                                "page to see the current state; nothing was saved.", "code": "conflict"})],
    )
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request, pk):
        decision = self._get(pk)
        data = SignOffInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_sign_off(actor=request.user, decision=decision,
                                              expected_version=data.validated_data["version"])
        return self._answer(decision)

    @extend_schema(
        summary="Reject an advance (clinicians)", request=RejectInput, responses=DECISION_RESPONSES,
        examples=[OpenApiExample("Not yet", request_only=True, value={
            "reason": "Wants one more clean week before maximal velocity.", "version": 4})],
    )
    @action(detail=True, methods=["post"], url_path="reject", url_name="reject")
    def reject(self, request, pk):
        decision = self._get(pk)
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_reject(actor=request.user, decision=decision, reason=data.validated_data["reason"],
                                            expected_version=data.validated_data["version"])
        return self._answer(decision)

    @extend_schema(
        summary="Override the latest decision (clinicians)", request=OverrideInput, responses=DECISION_RESPONSES,
        description="Puts the plan in `to_phase` and starts a new stint; clears a red-flag review.",
        examples=[OpenApiExample("Back to P1 after review", request_only=True, value={
            "to_phase": 1, "reason": "Reviewed: cramp, not a re-injury. Resume P1.", "version": 5})],
    )
    @action(detail=True, methods=["post"], url_path="override", url_name="override")
    def override(self, request, pk):
        decision = self._get(pk)
        data = OverrideInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_override(actor=request.user, decision=decision, **{
            "to_phase": data.validated_data["to_phase"], "reason": data.validated_data["reason"],
            "expected_version": data.validated_data["version"]})
        return self._answer(decision)


# --- protocols -------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List protocols", description="Built-in protocols and your organisations' own."),
    retrieve=extend_schema(summary="A protocol, with its definition", responses={200: ProtocolDetailOutput, **NOT_FOUND}),
)
@extend_schema(tags=["protocols"])
class ProtocolViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Protocols (versioned data): read by everyone; cloned by clinicians."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = ProtocolOutput
    pagination_class = ApiPagination
    filterset_class = ProtocolFilter
    ordering_fields = ["slug", "version", "created_at", "name"]

    def get_queryset(self):
        return selectors.protocol_list(user=self.request.user).prefetch_related("phases")

    def retrieve(self, request, pk):
        protocol = selectors.protocol_get(user=request.user, pk=parse_pk(pk, "protocol"))
        return Response(ProtocolDetailOutput(protocol).data)

    @extend_schema(
        summary="Clone a protocol into your organisation (clinicians)", request=ProtocolCloneInput,
        description="A built-in protocol is copied under a new slug; your organisation's own protocol gets its next "
                    "version. Protocols are never edited in place: plans may be using them. `base_version` says "
                    "which version you started from: if a newer one was saved since, the answer is 409 (nothing "
                    "saved); without it, 400.",
        responses={201: ProtocolDetailOutput, 400: FIELD_ERRORS, 409: ConflictSerializer, **NOT_FOUND},
        examples=[OpenApiExample("A new version of your own v3", request_only=True, value={"base_version": 3})],
    )
    @action(detail=True, methods=["post"], url_path="clone", url_name="clone")
    def clone(self, request, pk):
        protocol = selectors.protocol_get(user=request.user, pk=parse_pk(pk, "protocol"))
        data = ProtocolCloneInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        organisation = data.validated_data.get("organisation")
        if organisation is None:
            if protocol.organisation_id is not None:
                organisation = protocol.organisation
            else:
                orgs = list(athlete_selectors.managed_organisations(user=request.user)[:2])
                if len(orgs) != 1:
                    raise ValidationError({"organisation": "You are a clinician in several organisations: say which one."})
                organisation = orgs[0]
        copy = services.protocol_new_version(actor=request.user, protocol=protocol, organisation=organisation,
                                             definition=definition_from_json(protocol.definition),
                                             base_version=data.validated_data["base_version"])
        copy = selectors.protocol_get(user=request.user, pk=copy.pk)
        return Response(ProtocolDetailOutput(copy).data, status=status.HTTP_201_CREATED)


# --- me: the athlete's own view -------------------------------------------------------------------------

class MeMixin(ApiMixin):
    """The athlete's own view of their rehabilitation. Athletes only."""

    permission_classes = (IsAthlete,)

    def athlete(self):
        athlete = athlete_selectors.athlete_for_user(user=self.request.user)
        if athlete is None:
            raise PermissionDenied("Your login is not linked to an athlete profile.")
        return athlete

    def open_plan(self, athlete):
        plan = selectors.plan_open_for_athlete(athlete=athlete)
        return _plan(self.request.user, plan.pk) if plan is not None else None


@extend_schema(tags=["me"])
class MeView(MeMixin, APIView):
    @extend_schema(summary="Your today (athletes)", responses={200: MeOutput, 403: ErrorSerializer},
                   description="Your profile, plan, today's prescription, latest decision, and a report still to send.")
    def get(self, request):
        athlete = self.athlete()
        plan = self.open_plan(athlete)
        today = _local_today(athlete)
        day_rx = None
        if plan is not None and plan.status == plan.Status.ACTIVE:
            _, day = plan_day(plan, today)
            day_rx = day.to_dict() if day is not None else None
        latest = plan.latest_decisions[0] if plan is not None and plan.latest_decisions else None
        pending = (session_selectors.sessions_awaiting_report(athlete=athlete).filter(date__lt=today)
                   .select_related("symptom_report").first())
        return Response(MeOutput({
            "athlete": athlete, "today": today, "plan": plan, "today_prescription": day_rx,
            "latest_decision": selectors.decision_get(user=request.user, pk=latest.pk) if latest else None,
            "pending_report": pending,
        }).data)


@extend_schema(tags=["me"])
class MeWeekView(MeMixin, APIView):
    @extend_schema(summary="Your week's prescription (athletes)", parameters=WEEK_PARAMETERS,
                   responses={200: WeekPrescriptionOutput, 400: FIELD_ERRORS, 403: ErrorSerializer, **NOT_FOUND},
                   description="404 when you have no plan in progress.",
                   examples=[OpenApiExample("Phase 2, three days", response_only=True, value=WEEK_EXAMPLE)])
    def get(self, request):
        athlete = self.athlete()
        plan = selectors.plan_open_for_athlete(athlete=athlete)
        if plan is None:
            raise NotFound("You have no plan in progress.")
        return Response(_week_of(plan, request.query_params))


@extend_schema(tags=["me"])
class MeProgressView(MeMixin, APIView):
    @extend_schema(summary="Your progress (athletes)", responses={200: MeProgressOutput, 403: ErrorSerializer},
                   description="Your plan, its latest 20 decisions and your latest 30 sessions.")
    def get(self, request):
        athlete = self.athlete()
        plan = self.open_plan(athlete)
        decisions = list(selectors.decision_list(user=request.user, plan_id=plan.pk)[:20]) if plan is not None else []
        sessions = list(session_selectors.session_log_list(user=request.user, athlete_id=athlete.pk)[:30])
        return Response(MeProgressOutput({"plan": plan, "decisions": decisions, "sessions": sessions}).data)
