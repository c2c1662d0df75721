"""Query filters for the progression API. Every filter narrows a queryset a selector already scoped."""
from django_filters import rest_framework as filters

from core.api_base import IdFilter, date_range

from ..models import Decision, Plan, Protocol


class PlanFilter(filters.FilterSet):
    athlete = IdFilter(field_name="injury__athlete_id", label="Athlete id")
    team = IdFilter(field_name="injury__athlete__team_id", label="Team id")
    injury = IdFilter(field_name="injury_id", label="Injury id")
    status = filters.ChoiceFilter(choices=Plan.Status.choices)
    phase = filters.NumberFilter(field_name="current_phase", min_value=0, max_value=6, label="Current phase (0-6)")
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
