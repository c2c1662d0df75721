"""Calendar feeds: the feeds a user may see on a page, a feed by its secret, and the plans a feed shows."""
from django.db.models import QuerySet

from athletes.models import Athlete
from core.access import access_for

from ..models import CalendarFeed, Decision, Plan
from .plans import plan_list

#: Decisions that changed (or kept) what is prescribed: the ones still in force.
EFFECTIVE = (Decision.Status.APPLIED, Decision.Status.SIGNED_OFF, Decision.Status.OVERRIDDEN)


def calendar_feed_list(*, user, scope=None, team_id=None, athlete_id=None) -> QuerySet[CalendarFeed]:
    """The user's own active feeds (optionally of one scope and target)."""
    qs = CalendarFeed.objects.filter(owner_id=user.pk, revoked_at__isnull=True).select_related("team", "athlete")
    if scope:
        qs = qs.filter(scope=scope)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if athlete_id is not None:
        qs = qs.filter(athlete_id=athlete_id)
    return qs


def calendar_feed_for_secret(secret: str) -> CalendarFeed | None:
    """The active feed with this secret whose owner can still log in, else None (the URL answers 404)."""
    if not secret or len(secret) > 64:
        return None
    feed = (CalendarFeed.objects.filter(secret=secret, revoked_at__isnull=True, owner__is_active=True)
            .select_related("owner", "team", "athlete").first())
    return feed


def calendar_feed_plans(feed: CalendarFeed) -> list[Plan] | None:
    """The active plans the feed shows, seen through its owner's access today; None when its target is out of the
    owner's sight now (the URL answers 404)."""
    owner = feed.owner
    access = access_for(owner)
    plans = plan_list(user=owner, status=Plan.Status.ACTIVE).select_related("injury__athlete__organisation")
    if feed.scope == CalendarFeed.Scope.COACH:
        if not access.coach_team_ids:
            return None
        plans = plans.filter(injury__athlete__team_id__in=access.coach_team_ids)
    elif feed.scope == CalendarFeed.Scope.TEAM:
        if feed.team_id not in access.coach_team_ids and not access.can_manage_org(feed.team.organisation_id):
            return None
        plans = plans.filter(injury__athlete__team_id=feed.team_id)
    else:
        if not Athlete.objects.filter(access.athlete_q(), pk=feed.athlete_id).exists():
            return None
        plans = plans.filter(injury__athlete_id=feed.athlete_id)
    return list(plans.order_by("injury__athlete__last_name", "injury__athlete__first_name", "pk"))


def plan_change_reason(plan: Plan) -> str:
    """Why the plan prescribes what it does now, in words: its last decision in force."""
    decision = (Decision.objects.filter(plan=plan, status__in=EFFECTIVE).order_by("-created_at", "-id").first())
    if decision is None:
        return f"Plan started in P{plan.current_phase} on {plan.start_date:%d %b %Y}."
    on = f"{decision.decided_on:%d %b %Y}"
    reasons = decision.reasons if isinstance(decision.reasons, list) else []
    if decision.status == Decision.Status.OVERRIDDEN:
        return (f"Phase set to P{decision.override_to_phase} by the clinician on {on}: {decision.review_reason}")
    if decision.outcome == Decision.Outcome.ADVANCE:
        to = "discharge" if decision.to_phase is None else f"P{decision.to_phase}"
        signed = " (signed off)" if decision.status == Decision.Status.SIGNED_OFF else ""
        return f"Advanced from P{decision.from_phase} to {to} on {on}{signed}: the exit criteria were met."
    fired = [r.get("message", "") for r in reasons if isinstance(r, dict) and r.get("status") == "fired"]
    not_met = [r.get("message", "") for r in reasons if isinstance(r, dict) and r.get("status") == "not_met"]
    if decision.outcome == Decision.Outcome.REGRESS:
        why = "; ".join(m for m in fired[:3] if m) or "a warning sign"
        return f"Regressed from P{decision.from_phase} to P{decision.to_phase} on {on}: {why}."
    why = "; ".join(m for m in (fired + not_met)[:3] if m) or "the exit criteria are not met yet"
    return f"Holding in P{decision.from_phase} (decided {on}): {why}."
