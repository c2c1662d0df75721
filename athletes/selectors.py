"""Reads of athletes, teams and injuries, always scoped to the acting user."""
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet

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
        memberships__organisation=organisation, memberships__role=Role.COACH, memberships__is_active=True
    )


def clinicians_of(*, organisation_id) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organisation_id=organisation_id, memberships__role=Role.CLINICIAN, memberships__is_active=True
    )


# --- the clinic's set-up pages: only the organisations where the user is a clinician -----------------------

def _managed_ids(user):
    access = access_for(user)
    return None if access.is_staff else access.clinician_org_ids


def _managed(qs, user, field="organisation_id"):
    ids = _managed_ids(user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def setup_team_get(*, user, pk) -> Team:
    """A team the user may rename and staff (a clinician of its organisation); otherwise NotFound."""
    try:
        return _managed(Team.objects.select_related("organisation"), user).get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such team.") from None


def managed_athlete_get(*, user, pk) -> Athlete:
    """An athlete of an organisation where the user is a clinician (to move between teams, to read the audit
    trail of); a coach who sees the athlete gets NotFound here."""
    try:
        return _managed(Athlete.objects.select_related("organisation", "team"), user).get(pk=pk)
    except (Athlete.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such athlete.") from None


def setup_membership_get(*, user, pk) -> Membership:
    try:
        return _managed(Membership.objects.select_related("organisation", "user"), user).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such member.") from None


def setup_overview(*, organisation) -> dict:
    """The set-up page's data for one organisation, in four queries whatever its size: the teams with their
    coaches and athlete counts, the members (logins) with their roles, and the athletes with their teams."""
    coaches = Prefetch("coaches", queryset=get_user_model().objects.order_by("first_name", "last_name", "username"))
    teams = list(Team.objects.filter(organisation=organisation).annotate(athlete_count=Count("athletes"))
                 .prefetch_related(coaches).order_by("name"))
    members = list(Membership.objects.filter(organisation=organisation).select_related("user")
                   .order_by("role", "-is_active", "user__last_name", "user__first_name", "user__username"))
    athletes = list(Athlete.objects.filter(organisation=organisation).select_related("team")
                    .order_by("last_name", "first_name"))
    return {"teams": teams, "members": members, "athletes": athletes}


__all__ = [
    "athlete_list", "athlete_get", "athlete_for_user", "injury_list", "injury_get", "team_list", "team_get",
    "organisation_list", "managed_organisations", "coaches_of", "clinicians_of", "Membership",
    "setup_team_get", "managed_athlete_get", "setup_membership_get", "setup_overview",
]
