"""Writes for organisations, memberships, teams, athletes and injuries.

Each service takes the acting user, checks permission, validates, writes and audits in one transaction.
"""
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from core.access import access_for, forget_access
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.outbox import enqueue
from core.validation import validate_name

from .models import Athlete, Injury, Membership, Organisation, Role, Team

ATHLETE_FIELDS = (
    "first_name", "last_name", "date_of_birth", "sport", "position", "dominant_leg",
    "vmax_mps", "vmax_source", "vmax_date", "training_days", "team", "external_id",
)
INJURY_FIELDS = ("side", "muscle", "bamic_grade", "bamic_site", "mechanism", "date_of_injury", "notes")


def _require_clinician(user, organisation_id):
    if not access_for(user).can_manage_org(organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can do that.")


@transaction.atomic
def organisation_create(*, actor, name: str, slug: str, time_zone: str = "Europe/London") -> Organisation:
    if actor is not None and not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied("Only staff can create organisations.")
    org = Organisation(name=name, slug=slug, time_zone=time_zone)
    org.full_clean()
    org.save()
    audit_record(actor=actor, action="organisation.create", target=org, after=snapshot(org))
    return org


@transaction.atomic
def membership_create(*, actor, user, organisation: Organisation, role: str) -> Membership:
    if actor is not None:
        _require_clinician(actor, organisation.pk)
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    forget_access(user)
    audit_record(actor=actor, action="membership.create", target=membership, after=snapshot(membership))
    return membership


@transaction.atomic
def user_create(*, actor, organisation: Organisation, role: str, username: str, password: str | None,
                email: str = "", first_name: str = "", last_name: str = ""):
    """A login with its membership. `actor=None` is the system (the demo loader, the first-clinician command)."""
    if actor is not None:
        _require_clinician(actor, organisation.pk)
    errors = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        try:
            validate_name(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    user = get_user_model()(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    membership_create(actor=None, user=user, organisation=organisation, role=role)
    return user


def _team_name(organisation: Organisation, name: str, *, exclude_pk=None) -> str:
    """The team name, trimmed; refused when empty or when the organisation has a team of that name already."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    taken = Team.objects.filter(organisation=organisation, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": f"{organisation.name} already has a team called “{name}”. Choose another name."})
    return name


def _coach_ids(organisation: Organisation, coaches) -> set:
    """The ids of `coaches`, refused unless every one is an active coach of the organisation."""
    coach_ids = set(
        Membership.objects.filter(organisation=organisation, role=Role.COACH, is_active=True, user__in=coaches)
        .values_list("user_id", flat=True)
    )
    if {c.pk for c in coaches} - coach_ids:
        raise PermissionDenied("Only active coaches of this organisation can coach its teams.")
    return coach_ids


@transaction.atomic
def team_create(*, actor, organisation: Organisation, name: str, coaches=()) -> Team:
    if actor is not None:
        _require_clinician(actor, organisation.pk)
    coaches = list(coaches)
    team = Team(organisation=organisation, name=_team_name(organisation, name))
    team.full_clean()
    team.save()
    coach_ids = _coach_ids(organisation, coaches)
    team.coaches.set(coaches)
    for coach in coaches:
        forget_access(coach)
    audit_record(actor=actor, action="team.create", target=team, after={**snapshot(team), "coaches": sorted(coach_ids)})
    return team


@transaction.atomic
def team_rename(*, actor, team: Team, name: str) -> Team:
    _require_clinician(actor, team.organisation_id)
    team = Team.objects.select_for_update().select_related("organisation").get(pk=team.pk)
    before = snapshot(team, ["name"])
    team.name = _team_name(team.organisation, name, exclude_pk=team.pk)
    team.full_clean()
    team.save(update_fields=["name"])
    audit_record(actor=actor, action="team.rename", target=team, before=before, after=snapshot(team, ["name"]))
    return team


@transaction.atomic
def team_coaches_set(*, actor, team: Team, coaches) -> Team:
    """Who coaches the team: exactly `coaches` (active coaches of the team's organisation)."""
    _require_clinician(actor, team.organisation_id)
    team = Team.objects.select_for_update().select_related("organisation").get(pk=team.pk)
    coaches = list(coaches)
    coach_ids = _coach_ids(team.organisation, coaches)
    before_ids = set(team.coaches.values_list("id", flat=True))
    if before_ids == coach_ids:
        return team
    team.coaches.set(coaches)
    User = get_user_model()
    for user in User.objects.filter(pk__in=before_ids | coach_ids):
        forget_access(user)
    audit_record(actor=actor, action="team.coaches", target=team, before={"coaches": sorted(before_ids)},
                 after={"coaches": sorted(coach_ids)})
    return team


def _login_usernames(email: str, organisation: Organisation):
    """Login names to try for a new athlete login: the email itself, then the email under the organisation's slug
    (when the email already has a login elsewhere), then a generated one."""
    candidates = [email, f"{organisation.slug}.{email}",
                  *(f"{organisation.slug}{n}.{email}" for n in range(2, 6))]
    yield from (name for name in candidates if len(name) <= 150)
    yield f"{organisation.slug[:60]}.athlete-{uuid.uuid4().hex[:12]}"


def _new_login(*, organisation: Organisation, email: str, role: str, first_name: str, last_name: str,
               field: str = "login_email"):
    """A new login with a membership of `organisation` in `role`, never another organisation's login.

    An email with a login in this organisation is refused (the clinician can see their own organisation). An
    email with a login only in another organisation gets a login of its own here, under another login name, so
    the answer is exactly that for a new email: nothing says the email exists elsewhere, and this person is never
    linked to the other organisation's login. Concurrent adds of one email: the first wins, the others get a
    Conflict (409), never an IntegrityError.
    """
    User = get_user_model()
    # One login set-up at a time per organisation: a concurrent add of the same email waits here, then sees it.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    in_this_organisation = User.objects.filter(
        Q(username__iexact=email) | Q(email__iexact=email), memberships__organisation=organisation)
    message = ("This email already has a login. Use another, or leave it empty." if field == "login_email" else
               f"This email is already a member of {organisation.name}.")
    taken = ValidationError({field: message})
    if in_this_organisation.exists():
        raise taken
    for username in _login_usernames(email, organisation):
        if User.objects.filter(username__iexact=username).exists():
            if in_this_organisation.exists():
                raise taken
            continue
        try:
            with transaction.atomic():
                return user_create(actor=None, organisation=organisation, role=role, username=username,
                                   password=None, email=email, first_name=first_name, last_name=last_name)
        except IntegrityError:
            if in_this_organisation.exists():
                raise Conflict("This email was given a login a moment ago, by another request. Reload the page: "
                               "the person is probably there already.") from None
    raise Conflict("Could not set up a login for this email just now. Try again in a moment.")


def _athlete_login(*, organisation: Organisation, email: str, athlete: Athlete):
    """A new login for an athlete of `organisation` (see `_new_login`)."""
    return _new_login(organisation=organisation, email=email, role=Role.ATHLETE, first_name=athlete.first_name,
                      last_name=athlete.last_name)


@transaction.atomic
def athlete_create(*, actor, organisation: Organisation, user=None, login_email: str = "", **fields) -> Athlete:
    """Add an athlete. With `login_email`, also create their phone login and email them a set-password link."""
    if actor is not None:
        _require_clinician(actor, organisation.pk)
    unknown = set(fields) - set(ATHLETE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown athlete fields: {sorted(unknown)}")
    athlete = Athlete(organisation=organisation, user=user, **fields)
    athlete.full_clean()
    if login_email and user is None:
        login_email = login_email.strip().lower()
        user = _athlete_login(organisation=organisation, email=login_email, athlete=athlete)
        athlete.user = user
        enqueue("athletes.send_invite", {"user_id": user.pk, "clinic": organisation.name}, dedupe_key=f"invite:{user.pk}")
    athlete.save()
    if user is not None and not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership_create(actor=None, user=user, organisation=organisation, role=Role.ATHLETE)
    audit_record(actor=actor, action="athlete.create", target=athlete, after=snapshot(athlete))
    return athlete


@transaction.atomic
def athlete_update(*, actor, athlete: Athlete, **fields) -> Athlete:
    _require_clinician(actor, athlete.organisation_id)
    unknown = set(fields) - set(ATHLETE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown athlete fields: {sorted(unknown)}")
    athlete = Athlete.objects.select_for_update().get(pk=athlete.pk)
    before = snapshot(athlete)
    for name, value in fields.items():
        setattr(athlete, name, value)
    athlete.full_clean()
    athlete.save()
    audit_record(actor=actor, action="athlete.update", target=athlete, before=before, after=snapshot(athlete))
    return athlete


@transaction.atomic
def injury_create(*, actor, athlete: Athlete, **fields) -> Injury:
    if actor is not None:
        _require_clinician(actor, athlete.organisation_id)
    unknown = set(fields) - set(INJURY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown injury fields: {sorted(unknown)}")
    injury = Injury(athlete=athlete, recorded_on=athlete.organisation.today(), **fields)
    injury.full_clean()
    injury.save()
    audit_record(actor=actor, action="injury.create", target=injury, after=snapshot(injury))
    return injury


@transaction.atomic
def coach_invite(*, actor, organisation: Organisation, email: str, first_name: str = "", last_name: str = ""):
    """A coach's login in `organisation`, emailed a set-password link (the athletes' invitation, for a coach)."""
    _require_clinician(actor, organisation.pk)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an email address such as coach@example.org."}) from None
    user = _new_login(organisation=organisation, email=email, role=Role.COACH, first_name=first_name.strip(),
                      last_name=last_name.strip(), field="email")
    membership = Membership.objects.get(user=user, organisation=organisation)
    enqueue("athletes.send_invite", {"user_id": user.pk, "clinic": organisation.name, "role": Role.COACH},
            dedupe_key=f"invite:{user.pk}")
    audit_record(actor=actor, action="coach.invite", target=membership,
                 after={"email": email, "first_name": user.first_name, "last_name": user.last_name,
                        "role": Role.COACH})
    return user


@transaction.atomic
def athlete_move(*, actor, athlete: Athlete, team: Team | None) -> Athlete:
    """Put the athlete in `team` (None: no team). A team of another organisation is refused."""
    _require_clinician(actor, athlete.organisation_id)
    if team is not None and team.organisation_id != athlete.organisation_id:
        raise ValidationError({"team": "This team belongs to another organisation: an athlete can only move "
                                       "between the teams of their own organisation."})
    athlete = Athlete.objects.select_for_update().get(pk=athlete.pk)
    before = snapshot(athlete, ["team"])
    if athlete.team_id == (team.pk if team else None):
        return athlete
    athlete.team = team
    athlete.save(update_fields=["team", "updated_at"])
    audit_record(actor=actor, action="athlete.move", target=athlete, before=before, after=snapshot(athlete, ["team"]))
    return athlete


def _membership_set_active(*, actor, membership: Membership, active: bool) -> Membership:
    _require_clinician(actor, membership.organisation_id)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if not active and membership.user_id == getattr(actor, "pk", None):
        raise ValidationError("You cannot deactivate your own membership: ask another clinician of the organisation.")
    if membership.is_active == active:
        return membership
    before = snapshot(membership, ["is_active"])
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    forget_access(membership.user)
    audit_record(actor=actor, action="membership.activate" if active else "membership.deactivate",
                 target=membership, before=before, after=snapshot(membership, ["is_active"]))
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership) -> Membership:
    """Switch a membership off: the user keeps the login but no longer sees this organisation's data."""
    return _membership_set_active(actor=actor, membership=membership, active=False)


@transaction.atomic
def membership_reactivate(*, actor, membership: Membership) -> Membership:
    return _membership_set_active(actor=actor, membership=membership, active=True)
