"""Reads of session logs, symptom reports and assessments, scoped to the acting user."""
from django.db.models import QuerySet

from core.access import access_for
from core.exceptions import NotFound

from .models import Assessment, SessionLog, SymptomReport, TechniqueRating


def session_log_list(*, user, athlete_id=None, plan_id=None, date_from=None, date_to=None) -> QuerySet[SessionLog]:
    access = access_for(user)
    qs = SessionLog.objects.filter(access.athlete_q("athlete__")).select_related("athlete", "symptom_report")
    if athlete_id:
        qs = qs.filter(athlete_id=athlete_id)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


def session_log_get(*, user, pk) -> SessionLog:
    try:
        return session_log_list(user=user).get(pk=pk)
    except (SessionLog.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such session.") from None


def symptom_report_list(*, user, athlete_id=None) -> QuerySet[SymptomReport]:
    access = access_for(user)
    qs = SymptomReport.objects.filter(access.athlete_q("session_log__athlete__")).select_related("session_log")
    if athlete_id:
        qs = qs.filter(session_log__athlete_id=athlete_id)
    return qs


def symptom_report_get(*, user, pk) -> SymptomReport:
    try:
        return symptom_report_list(user=user).get(pk=pk)
    except (SymptomReport.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such report.") from None


def assessment_list(*, user, athlete_id=None, injury_id=None) -> QuerySet[Assessment]:
    access = access_for(user)
    qs = Assessment.objects.filter(access.athlete_q("injury__athlete__")).select_related("injury__athlete", "clinician")
    if athlete_id:
        qs = qs.filter(injury__athlete_id=athlete_id)
    if injury_id:
        qs = qs.filter(injury_id=injury_id)
    return qs


def assessment_get(*, user, pk) -> Assessment:
    try:
        return assessment_list(user=user).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such assessment.") from None


def sessions_awaiting_report(*, athlete) -> QuerySet[SessionLog]:
    """The athlete's sessions that still have no next-morning report, newest first."""
    return SessionLog.objects.filter(athlete=athlete, symptom_report__isnull=True).order_by("-date", "-logged_at")


def technique_rating_get(*, user, pk) -> TechniqueRating:
    access = access_for(user)
    try:
        return TechniqueRating.objects.select_related("session_log__athlete").filter(
            access.athlete_q("session_log__athlete__")).get(pk=pk)
    except (TechniqueRating.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such rating.") from None
