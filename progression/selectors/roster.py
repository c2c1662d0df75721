"""The clinician's roster: one row per athlete, every column a subquery (constant queries whatever the size)."""
import datetime

from django.db.models import Exists, OuterRef, Subquery

from athletes.models import Injury
from athletes.selectors import athlete_list, today_for_user
from sessions.models import Assessment, SessionLog

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


def roster(*, user, team_id=None, status=None, order="name", today=None):
    """The clinician's roster: one row per athlete with phase, injury date, latest decision and flags.

    Every column is a subquery, so the number of queries does not grow with the number of athletes.
    """
    today = today or today_for_user(user=user)
    open_plans = Plan.objects.filter(
        injury__athlete=OuterRef("pk"), status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]
    ).order_by("-created_at")
    latest_decision = Decision.objects.filter(plan__injury__athlete=OuterRef("pk")).order_by("-created_at", "-id")
    stale_before = today - datetime.timedelta(days=14)
    qs = athlete_list(user=user, team_id=team_id).annotate(
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
    if status == "no_plan":
        qs = qs.filter(plan_id__isnull=True)
    elif status in ("active", "paused"):
        qs = qs.filter(plan_status=status)
    elif status == "flagged":
        qs = qs.filter(review_pending=True)
    elif status == "signoff":
        qs = qs.filter(awaiting_signoff=True)
    return qs.order_by(*ROSTER_ORDERINGS.get(order, ROSTER_ORDERINGS["name"]))
