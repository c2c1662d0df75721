"""Reads of athletes, teams and injuries, always scoped to the acting user."""
from django.db.models import QuerySet

from core import clock
from core.access import access_for
from core.exceptions import NotFound

from .models import Athlete, Injury, Membership, Organisation, Role, Team


def athlete_list(*, user, team_id=None) -> QuerySet[Athlete]:
    access = access_for(user)
    qs = Athlete.objects.filter(access.athlete_q()).select_related("team", "organisation")
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs


def athlete_get(*, user, pk) -> Athlete:
    try:
        return athlete_list(user=user).get(pk=pk)
    except (Athlete.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such athlete.") from None


def athlete_for_user(*, user) -> Athlete | None:
    """The athlete profile behind a phone login, if there is one."""
    if not user.is_authenticated:
        return None
    return Athlete.objects.select_related("organisation", "team").filter(user=user).first()


def injury_list(*, user, athlete_id=None) -> QuerySet[Injury]:
    access = access_for(user)
    qs = Injury.objects.filter(access.athlete_q("athlete__")).select_related("athlete")
    if athlete_id:
        qs = qs.filter(athlete_id=athlete_id)
    return qs


def injury_get(*, user, pk) -> Injury:
    try:
        return injury_list(user=user).get(pk=pk)
    except (Injury.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such injury.") from None


def team_list(*, user) -> QuerySet[Team]:
    access = access_for(user)
    if access.is_staff:
        return Team.objects.all()
    from django.db.models import Q

    return Team.objects.filter(
        Q(organisation_id__in=access.clinician_org_ids) | Q(id__in=access.coach_team_ids)
    ).select_related("organisation")


def team_get(*, user, pk) -> Team:
    try:
        return team_list(user=user).get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such team.") from None


def organisation_list(*, user) -> QuerySet[Organisation]:
    access = access_for(user)
    if access.is_staff:
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=access.org_ids)


def home_organisation(*, user) -> Organisation | None:
    """The organisation whose day a user's pages show: their first membership's (clinician, coach or athlete)."""
    access = access_for(user)
    if not access.org_ids:
        return None
    return Organisation.objects.filter(id__in=access.org_ids).order_by("id").first()


def today_for_user(*, user):
    """"Today" on the user's pages: the local date of their organisation (UTC for staff with none)."""
    organisation = home_organisation(user=user)
    return organisation.today() if organisation is not None else clock.utc_today()


def managed_organisations(*, user) -> QuerySet[Organisation]:
    """Organisations where the user may add athletes and start plans (clinician role)."""
    access = access_for(user)
    if access.is_staff:
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=access.clinician_org_ids)


def coaches_of(*, organisation) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__role=Role.COACH
    )


def clinicians_of(*, organisation_id) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organisation_id=organisation_id, memberships__role=Role.CLINICIAN
    )


__all__ = [
    "athlete_list", "athlete_get", "athlete_for_user", "injury_list", "injury_get", "team_list", "team_get",
    "organisation_list", "managed_organisations", "coaches_of", "clinicians_of", "Membership",
]


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
    import datetime

    from django.db.models import Exists, OuterRef, Subquery

    from progression.models import Decision, Plan
    from sessions.models import Assessment, SessionLog

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
