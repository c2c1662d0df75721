"""Input serializers check the shape of a request; output serializers describe what is returned."""
import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from athletes import selectors as athlete_selectors
from athletes.api.serializers import AthleteOutput
from core.api_base import NumberInputMixin, ScopedPrimaryKeyRelatedField
from sessions.api.serializers import SessionLogOutput

from .. import selectors
from ..models import MAX_PHASE, Decision, Phase, Plan, Protocol


class CodeMessage(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class DecisionWarning(CodeMessage):
    values = serializers.DictField(read_only=True, required=False)

# --- protocols -----------------------------------------------------------------------------------------

class PhaseOutput(serializers.ModelSerializer):
    exit_criteria = serializers.DictField(read_only=True)
    prescription = serializers.DictField(read_only=True)

    class Meta:
        model = Phase
        fields = ["number", "name", "focus", "description", "sessions_per_week_min", "sessions_per_week_max",
                  "exit_criteria", "prescription"]
        read_only_fields = fields


class ProtocolOutput(serializers.ModelSerializer):
    is_builtin = serializers.BooleanField(read_only=True)
    phases = PhaseOutput(many=True, read_only=True)

    class Meta:
        model = Protocol
        fields = ["id", "organisation", "slug", "version", "name", "description", "parent", "is_builtin", "created_at",
                  "phases"]
        read_only_fields = fields


class ProtocolDetailOutput(ProtocolOutput):
    definition = serializers.DictField(read_only=True, help_text="The protocol as data: what the engine reads.")

    class Meta(ProtocolOutput.Meta):
        fields = [*ProtocolOutput.Meta.fields, "definition"]
        read_only_fields = fields


class ProtocolCloneInput(serializers.Serializer):
    organisation = ScopedPrimaryKeyRelatedField(
        selector=athlete_selectors.managed_organisations, what="organisation", required=False,
        help_text="Needed only when you are a clinician in more than one organisation.",
    )
    base_version = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647,
        help_text="The version you started from: the newest version of the protocol the new version goes to, as you "
                  "last read it. For your organisation's own protocol that is the newest `version` of its slug "
                  "(usually the `version` of the protocol you read); for a built-in protocol, the newest version of "
                  "your organisation's copy of it (`<slug>-<organisation slug>`), or 0 if you have none. If someone "
                  "saved a newer version since, the answer is 409 and nothing is saved.",
    )


# --- decisions ---------------------------------------------------------------------------------------------

DECISION_STATUS = {"choices": Decision.Status.choices, "read_only": True}


class DecisionBrief(serializers.ModelSerializer):
    status = serializers.ChoiceField(**DECISION_STATUS)

    class Meta:
        model = Decision
        fields = ["id", "outcome", "status", "from_phase", "to_phase", "refer", "decided_on", "decided_by_rule",
                  "created_at"]
        read_only_fields = fields


class DecisionOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(**DECISION_STATUS)
    athlete = serializers.IntegerField(source="plan.injury.athlete_id", read_only=True)
    reasons = serializers.ListField(child=serializers.DictField(), read_only=True,
                                    help_text="Every rule checked, in order, with its status, values and source.")
    recommendations = CodeMessage(many=True, read_only=True, help_text="Reduce volume, cap reps, retest strength...")
    warnings = DecisionWarning(many=True, read_only=True, help_text="Soft warnings (time floors): they never gate.")

    class Meta:
        model = Decision
        fields = [
            "id", "plan", "athlete", "trigger", "session_log", "symptom_report", "assessment", "protocol_slug",
            "protocol_version", "decided_on", "outcome", "from_phase", "to_phase", "refer", "status", "decided_by_rule",
            "reasons", "recommendations", "warnings", "created_at", "created_by", "reviewed_by", "reviewed_at",
            "review_reason", "override_to_phase",
        ]
        read_only_fields = fields


class DecisionDetailOutput(DecisionOutput):
    inputs = serializers.DictField(read_only=True, help_text="The stint and context the engine read: enough to replay it.")

    class Meta(DecisionOutput.Meta):
        fields = [*DecisionOutput.Meta.fields, "inputs"]
        read_only_fields = fields


def _version():
    return serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=True,
        error_messages={"required": "Send the plan's `version` you looked at: without it a change made meanwhile "
                                    "would be lost."},
        help_text="The plan's `version` you looked at (required). If the plan changed since, the answer is 409 and "
                  "nothing changes.",
    )


class SignOffInput(serializers.Serializer):
    version = _version()


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: the athlete and coach will see it.")
    version = _version()


class OverrideInput(serializers.Serializer):
    to_phase = serializers.IntegerField(min_value=0, max_value=MAX_PHASE,
                                        help_text="The phase the plan goes to (one of its protocol's phases).")
    reason = serializers.CharField(max_length=2000, help_text="Part of the clinical record.")
    version = _version()


# --- plans -----------------------------------------------------------------------------------------------

class PlanOutput(serializers.ModelSerializer):
    athlete = serializers.IntegerField(source="injury.athlete_id", read_only=True)
    athlete_name = serializers.CharField(source="injury.athlete.full_name", read_only=True)
    team = serializers.IntegerField(source="injury.athlete.team_id", read_only=True, allow_null=True)
    protocol_slug = serializers.CharField(source="protocol.slug", read_only=True)
    protocol_version = serializers.IntegerField(source="protocol.version", read_only=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, read_only=True)
    current_phase_name = serializers.SerializerMethodField()
    latest_decision = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id", "athlete", "athlete_name", "team", "injury", "protocol", "protocol_slug", "protocol_version",
            "current_phase", "current_phase_name", "status", "start_date", "clearance_date", "completed_on", "clinician",
            "baseline_weekly_load", "advance_requires_signoff", "review_pending", "version", "stint_started_at",
            "latest_decision", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_current_phase_name(self, plan) -> str | None:
        # protocol.phases is prefetched by the views: no query per plan.
        return next((p.name for p in plan.protocol.phases.all() if p.number == plan.current_phase), None)

    @extend_schema_field(DecisionBrief(allow_null=True))
    def get_latest_decision(self, plan):
        prefetched = getattr(plan, "latest_decisions", None)
        decision = prefetched[0] if prefetched else (None if prefetched is not None else selectors.decision_latest(plan=plan))
        if decision is None:
            return None
        # One DecisionBrief for the whole list: building a ModelSerializer's fields costs about 6 ms, per plan.
        brief = getattr(self, "_decision_brief", None)
        if brief is None:
            brief = self._decision_brief = DecisionBrief()
        return brief.to_representation(decision)


class PlanInput(NumberInputMixin, serializers.Serializer):
    injury = ScopedPrimaryKeyRelatedField(selector=athlete_selectors.injury_list, what="injury")
    protocol = ScopedPrimaryKeyRelatedField(selector=selectors.protocol_list, what="protocol")
    start_phase = serializers.IntegerField(min_value=0, max_value=MAX_PHASE, default=0)
    start_date = serializers.DateField(required=False, help_text="Default: today.")
    baseline_weekly_load = serializers.DecimalField(
        max_digits=7, decimal_places=1, min_value=1, max_value=50000, required=False, allow_null=True,
        help_text="Pre-injury weekly load (sum of RPE x minutes over a typical week). Optional.",
    )
    advance_requires_signoff = serializers.BooleanField(default=True)


# --- the week prescription ------------------------------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1900, 2200


class WeekQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False, help_text="ISO year.")
    week = serializers.IntegerField(min_value=1, max_value=53, required=False, help_text="ISO week number (1-53).")

    def validate(self, attrs):
        if ("year" in attrs) != ("week" in attrs):
            raise serializers.ValidationError({"week" if "year" in attrs else "year": "Give both year and week, or neither."})
        if "year" in attrs:
            try:
                datetime.date.fromisocalendar(attrs["year"], attrs["week"], 1)
            except ValueError:
                raise serializers.ValidationError({"week": f"{attrs['year']} has no ISO week {attrs['week']}."}) from None
        return attrs


_NUMBER = {"allow_null": True, "read_only": True}


class SplitOutput(serializers.Serializer):
    distance_m = serializers.FloatField(read_only=True)
    split_s_min = serializers.FloatField(read_only=True, help_text="At the top of the target speed range.")
    split_s_max = serializers.FloatField(read_only=True, help_text="At the bottom of the target speed range.")


class PrescriptionItemOutput(serializers.Serializer):
    block = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(**_NUMBER)
    sets = serializers.CharField(**_NUMBER, help_text='For display: "3" or "2-3".')
    reps = serializers.CharField(**_NUMBER)
    distance_m = serializers.CharField(**_NUMBER)
    build_m = serializers.CharField(**_NUMBER)
    fly_m = serializers.CharField(**_NUMBER)
    sets_min = serializers.FloatField(**_NUMBER)
    sets_max = serializers.FloatField(**_NUMBER)
    reps_min = serializers.FloatField(**_NUMBER)
    reps_max = serializers.FloatField(**_NUMBER)
    distance_m_min = serializers.FloatField(**_NUMBER)
    distance_m_max = serializers.FloatField(**_NUMBER)
    build_m_min = serializers.FloatField(**_NUMBER)
    build_m_max = serializers.FloatField(**_NUMBER)
    fly_m_min = serializers.FloatField(**_NUMBER)
    fly_m_max = serializers.FloatField(**_NUMBER)
    intensity_pct_min = serializers.FloatField(**_NUMBER, help_text="% of maximal velocity.")
    intensity_pct_max = serializers.FloatField(**_NUMBER)
    rest_s_min = serializers.FloatField(**_NUMBER)
    rest_s_max = serializers.FloatField(**_NUMBER)
    notes = serializers.CharField(**_NUMBER)
    target_speed_mps_min = serializers.FloatField(**_NUMBER, help_text="Where the athlete's Vmax is known.")
    target_speed_mps_max = serializers.FloatField(**_NUMBER)
    splits = SplitOutput(many=True, read_only=True)


class DayPrescriptionOutput(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    weekday = serializers.IntegerField(read_only=True, help_text="ISO weekday: 1 = Monday ... 7 = Sunday.")
    weekday_name = serializers.CharField(read_only=True)
    items = PrescriptionItemOutput(many=True, read_only=True)


class WeekPrescriptionOutput(serializers.Serializer):
    protocol = serializers.CharField(read_only=True, help_text="The protocol's slug.")
    version = serializers.IntegerField(read_only=True, help_text="The protocol's version.")
    phase = serializers.IntegerField(read_only=True)
    phase_name = serializers.CharField(read_only=True)
    focus = serializers.CharField(read_only=True)
    iso_year = serializers.IntegerField(read_only=True)
    iso_week = serializers.IntegerField(read_only=True)
    training_days = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    days = DayPrescriptionOutput(many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    vmax_mps = serializers.FloatField(**_NUMBER)


# --- me ------------------------------------------------------------------------------------------------

class MeOutput(serializers.Serializer):
    athlete = AthleteOutput(read_only=True)
    today = serializers.DateField(read_only=True, help_text="The athlete's local day.")
    plan = PlanOutput(read_only=True, allow_null=True)
    today_prescription = DayPrescriptionOutput(read_only=True, allow_null=True,
                                               help_text="Today's sessions; null on a rest day or without an active plan.")
    latest_decision = DecisionOutput(read_only=True, allow_null=True)
    pending_report = SessionLogOutput(read_only=True, allow_null=True,
                                      help_text="The latest earlier session still waiting for its next-morning report.")


class MeProgressOutput(serializers.Serializer):
    plan = PlanOutput(read_only=True, allow_null=True)
    decisions = DecisionOutput(many=True, read_only=True, help_text="The plan's latest 20 decisions, newest first.")
    sessions = SessionLogOutput(many=True, read_only=True, help_text="The latest 30 sessions, newest first.")
