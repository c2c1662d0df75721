"""The progression lists' filters, shared by the pages and the API. Every filter narrows a queryset a selector already scoped."""
from django_filters import rest_framework as filters

from core.filters import IdFilter, date_range

from .models import MAX_PHASE, Decision, Plan, Protocol


class PlanFilter(filters.FilterSet):
    athlete = IdFilter(field_name="injury__athlete_id", label="Athlete id")
    team = IdFilter(field_name="injury__athlete__team_id", label="Team id")
    injury = IdFilter(field_name="injury_id", label="Injury id")
    status = filters.ChoiceFilter(choices=Plan.Status.choices)
    phase = filters.NumberFilter(field_name="current_phase", min_value=0, max_value=MAX_PHASE, label="Current phase")
    date_from, date_to = date_range("start_date")

    class Meta:
        model = Plan
        fields = ["athlete", "team", "injury", "status", "phase", "date_from", "date_to"]


class DecisionFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label="Plan id")
    athlete = IdFilter(field_name="plan__injury__athlete_id", label="Athlete id")
    team = IdFilter(field_name="plan__injury__athlete__team_id", label="Team id")
    status = filters.ChoiceFilter(choices=Decision.Status.choices)
    outcome = filters.ChoiceFilter(choices=Decision.Outcome.choices)
    date_from, date_to = date_range("decided_on")

    class Meta:
        model = Decision
        fields = ["plan", "athlete", "team", "status", "outcome", "date_from", "date_to"]


class ProtocolFilter(filters.FilterSet):
    slug = filters.CharFilter(max_length=80)
    builtin = filters.BooleanFilter(field_name="organisation", lookup_expr="isnull", label="Built-in protocols only")

    class Meta:
        model = Protocol
        fields = ["slug", "builtin"]


ROSTER_STATUSES = [("active", "Active plan"), ("paused", "Paused"), ("signoff", "Awaiting sign-off"),
                   ("flagged", "Red flag"), ("no_plan", "No plan")]
_ROSTER_STATUS_Q = {
    "no_plan": {"plan_id__isnull": True}, "active": {"plan_status": "active"}, "paused": {"plan_status": "paused"},
    "flagged": {"review_pending": True}, "signoff": {"awaiting_signoff": True},
}


class RosterFilter(filters.FilterSet):
    """The roster's filters (on its annotated rows): team, status, and the order of the rows."""

    team = IdFilter(field_name="team_id", label="Team id")
    status = filters.ChoiceFilter(choices=ROSTER_STATUSES, method="filter_status")
    order = filters.OrderingFilter(fields=(("last_name", "name"), ("team__name", "team"), ("plan_phase", "phase"),
                                           ("injury_date", "injury")))

    def filter_status(self, queryset, name, value):
        return queryset.filter(**_ROSTER_STATUS_Q[value])
