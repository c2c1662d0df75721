"""The sessions lists' filters, shared by the pages and the API. Every filter narrows a queryset a selector already scoped."""
from django_filters import rest_framework as filters

from core.filters import IdFilter, date_range

from .models import Assessment, SessionLog, SymptomReport


class SessionLogFilter(filters.FilterSet):
    athlete = IdFilter(field_name="athlete_id", label="Athlete id")
    team = IdFilter(field_name="athlete__team_id", label="Team id")
    plan = IdFilter(field_name="plan_id", label="Plan id")
    date_from, date_to = date_range("date")
    has_report = filters.BooleanFilter(field_name="symptom_report", lookup_expr="isnull", exclude=True,
                                       label="Whether the next-morning report is in")

    class Meta:
        model = SessionLog
        fields = ["athlete", "team", "plan", "date_from", "date_to", "has_report"]


class SymptomReportFilter(filters.FilterSet):
    athlete = IdFilter(field_name="session_log__athlete_id", label="Athlete id")
    team = IdFilter(field_name="session_log__athlete__team_id", label="Team id")
    session_log = IdFilter(field_name="session_log_id", label="Session id")
    date_from, date_to = date_range("session_log__date")

    class Meta:
        model = SymptomReport
        fields = ["athlete", "team", "session_log", "date_from", "date_to"]


class AssessmentFilter(filters.FilterSet):
    athlete = IdFilter(field_name="injury__athlete_id", label="Athlete id")
    team = IdFilter(field_name="injury__athlete__team_id", label="Team id")
    injury = IdFilter(field_name="injury_id", label="Injury id")
    date_from, date_to = date_range("assessed_on")

    class Meta:
        model = Assessment
        fields = ["athlete", "team", "injury", "date_from", "date_to"]
