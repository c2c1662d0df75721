"""The clinician's roster: one row per athlete, every column a subquery (constant queries whatever the size)."""
import datetime

from django.db.models import Exists, OuterRef, Subquery

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


def roster(*, user, filters=None, team_id=None, status=None, order="name", today=None):
    """The clinician's roster: one row per athlete with phase, injury date, latest decision and flags.

    `filters` is a query dict for `RosterFilter` (team, status, order), as the page's query string gives it; bad
    values are left out. Every column is a subquery, so the number of queries does not grow with the number of
    athletes.
    """
    data = dict(filters.items()) if filters is not None else {}
    for name, value in (("team", team_id), ("status", status), ("order", order if order != "name" else None)):
        if value is not None:
            data.setdefault(name, str(value))
    today = today or today_for_user(user=user)
    open_plans = Plan.objects.filter(
        injury__athlete=OuterRef("pk"), status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]
    ).order_by("-created_at")
    latest_decision = Decision.objects.filter(plan__injury__athlete=OuterRef("pk")).order_by("-created_at", "-id")
    stale_before = today - datetime.timedelta(days=14)
    qs = athlete_list(user=user).annotate(
        plan_id=Subquery(open_plans.values("pk")[:1]),
        plan_phase=Subquery(open_plans.values("current_phase")[:1]),
        plan_status=Subquery(open_plans.values("status")[:1]),
        review_pending=Subquery(open_plans.values("review_pending")[:1]),
        injury_date=Subquery(Injury.objects.filter(athlete=OuterRef("pk")).order_by("-date_of_injury").values("date_of_injury")[:1]),
        decision_outcome=Subquery(latest_decision.values("outcome")[:1]),
        decision_status=Subquery(latest_decision.values("status")[:1]),
        decision_to_phase=Subquery(latest_decision.values("to_phase")[:1]),
        awaiting_signoff=Exists(Decision.objects.filter(plan__injury__athlete=OuterRef("pk"), status="awaiting_signoff")),
        missing_report=Exists(SessionLog.objects.filter(
            athlete=OuterRef("pk"), symptom_report__isnull=True, date__lt=today, plan__status="active")),
        recent_strength=Exists(Assessment.objects.filter(
            injury__athlete=OuterRef("pk"), strength_lsi__isnull=False, assessed_on__gte=stale_before))
        | Exists(SessionLog.objects.filter(athlete=OuterRef("pk"), strength_lsi__isnull=False, date__gte=stale_before)),
    )
    qs = apply_filters(RosterFilter, data, qs, strict=False)
    if not data.get("order"):
        qs = qs.order_by(*ROSTER_ORDERINGS["name"])
    return qs.order_by(*qs.query.order_by, "last_name", "first_name") if qs.query.order_by else qs
