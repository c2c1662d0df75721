"""The clinician's roster, for triage: one row per athlete, every column a subquery (constant queries whatever the
size), red flags first, then pending sign-offs, then overdue next-morning reports."""
import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from athletes.models import Injury
from athletes.selectors import athlete_list, today_for_user
from core.filters import apply_filters
from sessions.models import Assessment, SessionLog

from ..filters import RosterFilter
from ..models import Decision, Plan

ROSTER_ORDERINGS = {
    "name": ("last_name", "first_name"),
    "-name": ("-last_name", "-first_name"),
    "team": ("team__name", "last_name"),
    "phase": ("plan_phase", "last_name"),
    "-phase": ("-plan_phase", "last_name"),
    "injury": ("injury_date", "last_name"),
    "-injury": ("-injury_date", "last_name"),
}
#: The default order: what needs a clinician first.
TRIAGE_ORDER = (F("review_pending").desc(nulls_last=True), F("awaiting_signoff").desc(),
                F("overdue_reports").desc(), "last_name", "first_name")
#: Reporting below this share over 7 days is flagged.
REPORTING_RATE_FLAG = 80
REPORTING_DAYS = 7


def _count(queryset) -> Coalesce:
    """A correlated COUNT of `queryset` (already filtered on OuterRef("pk")), 0 when there are none."""
    counted = queryset.order_by().values("athlete").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _annotations(today: datetime.date) -> dict:
    open_plans = Plan.objects.filter(
        injury__athlete=OuterRef("pk"), status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]
    ).order_by("-created_at")
    latest_decision = Decision.objects.filter(plan__injury__athlete=OuterRef("pk")).order_by("-created_at", "-id")
    stale_before = today - datetime.timedelta(days=14)
    sessions = SessionLog.objects.filter(athlete=OuterRef("pk"), voided_at__isnull=True)
    unreported = Q(symptom_report__isnull=True) | Q(symptom_report__voided_at__isnull=False)
    week = sessions.filter(date__gte=today - datetime.timedelta(days=REPORTING_DAYS), date__lt=today)
    return {
        "plan_id": Subquery(open_plans.values("pk")[:1]),
        "plan_phase": Subquery(open_plans.values("current_phase")[:1]),
        "plan_status": Subquery(open_plans.values("status")[:1]),
        "plan_stint_started_at": Subquery(open_plans.values("stint_started_at")[:1]),
        "review_pending": Subquery(open_plans.values("review_pending")[:1]),
        "injury_date": Subquery(Injury.objects.filter(athlete=OuterRef("pk")).order_by("-date_of_injury")
                                .values("date_of_injury")[:1]),
        "decision_outcome": Subquery(latest_decision.values("outcome")[:1]),
        "decision_status": Subquery(latest_decision.values("status")[:1]),
        "decision_to_phase": Subquery(latest_decision.values("to_phase")[:1]),
        "awaiting_signoff": Exists(Decision.objects.filter(plan__injury__athlete=OuterRef("pk"), status="awaiting_signoff")),
        "last_session_date": Subquery(sessions.order_by("-date", "-logged_at").values("date")[:1]),
        # a next-morning report is owed from the morning after the session: overdue once that day has come
        "overdue_reports": _count(sessions.filter(unreported, date__lt=today, plan__status="active")),
        "week_sessions": _count(week),
        "week_reported": _count(week.exclude(unreported)),
        "recent_strength": Exists(Assessment.objects.filter(
            injury__athlete=OuterRef("pk"), strength_lsi__isnull=False, assessed_on__gte=stale_before,
            voided_at__isnull=True)),
    }


def roster(*, user, filters=None, team_id=None, status=None, order=None, today=None):
    """The clinician's roster: one row per athlete with phase (and days in it), the last session, overdue
    next-morning reports and the 7-day reporting rate, the latest decision and flags; red flags first, then pending
    sign-offs, then overdue reports, unless another order is asked for.

    `filters` is a query dict for `RosterFilter` (team, status, order), as the page's query string gives it; bad
    values are left out. Every column is a subquery, so the number of queries does not grow with the number of
    athletes.
    """
    data = dict(filters.items()) if filters is not None else {}
    for name, value in (("team", team_id), ("status", status), ("order", order)):
        if value is not None:
            data.setdefault(name, str(value))
    today = today or today_for_user(user=user)
    qs = athlete_list(user=user).annotate(**_annotations(today))
    qs = apply_filters(RosterFilter, data, qs, strict=False)
    if not data.get("order") or not qs.query.order_by:
        return qs.order_by(*TRIAGE_ORDER)
    return qs.order_by(*qs.query.order_by, "last_name", "first_name")


def roster_row_facts(row, *, today: datetime.date, tz) -> None:
    """The per-row figures the page shows, from a row's annotations (no query)."""
    row.days_since_injury = (today - row.injury_date).days if row.injury_date else None
    row.days_in_phase = ((today - row.plan_stint_started_at.astimezone(tz).date()).days
                         if row.plan_stint_started_at and row.plan_id else None)
    row.reporting_rate = round(100 * row.week_reported / row.week_sessions) if row.week_sessions else None
    row.reporting_low = row.reporting_rate is not None and row.reporting_rate < REPORTING_RATE_FLAG
    row.stale_strength = row.plan_id is not None and not row.recent_strength
