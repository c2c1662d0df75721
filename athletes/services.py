"""Writes for organisations, memberships, teams, athletes and injuries.

Each service takes the acting user, checks permission, validates, writes and audits in one transaction.
"""
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
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


@transaction.atomic
def team_create(*, actor, organisation: Organisation, name: str, coaches=()) -> Team:
    if actor is not None:
        _require_clinician(actor, organisation.pk)
    team = Team(organisation=organisation, name=name)
    team.full_clean()
    team.save()
    coach_ids = set(
        Membership.objects.filter(organisation=organisation, role=Role.COACH, user__in=coaches).values_list("user_id", flat=True)
    )
    if {c.pk for c in coaches} - coach_ids:
        raise PermissionDenied("Only coaches of this organisation can coach its teams.")
    team.coaches.set(coaches)
    for coach in coaches:
        forget_access(coach)
    audit_record(actor=actor, action="team.create", target=team, after={**snapshot(team), "coaches": sorted(coach_ids)})
    return team


def _login_usernames(email: str, organisation: Organisation):
    """Login names to try for a new athlete login: the email itself, then the email under the organisation's slug
    (when the email already has a login elsewhere), then a generated one."""
    candidates = [email, f"{organisation.slug}.{email}",
                  *(f"{organisation.slug}{n}.{email}" for n in range(2, 6))]
    yield from (name for name in candidates if len(name) <= 150)
    yield f"{organisation.slug[:60]}.athlete-{uuid.uuid4().hex[:12]}"


def _athlete_login(*, organisation: Organisation, email: str, athlete: Athlete):
    """A new login for an athlete of `organisation`, never another organisation's.

    An email with a login in this organisation is refused (the clinician can see their own organisation). An
    email with a login only in another organisation gets a login of its own here, under another login name, so
    the answer is exactly that for a new email: nothing says the email exists elsewhere, and this athlete is never
    linked to the other organisation's login. Concurrent adds of one email: the first wins, the others get a
    Conflict (409), never an IntegrityError.
    """
    User = get_user_model()
    # One login set-up at a time per organisation: a concurrent add of the same email waits here, then sees it.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    in_this_organisation = User.objects.filter(
        Q(username__iexact=email) | Q(email__iexact=email), memberships__organisation=organisation)
    taken = ValidationError({"login_email": "This email already has a login. Use another, or leave it empty."})
    if in_this_organisation.exists():
        raise taken
    for username in _login_usernames(email, organisation):
        if User.objects.filter(username__iexact=username).exists():
            if in_this_organisation.exists():
                raise taken
            continue
        try:
            with transaction.atomic():
                return user_create(actor=None, organisation=organisation, role=Role.ATHLETE, username=username,
                                   password=None, email=email, first_name=athlete.first_name,
                                   last_name=athlete.last_name)
        except IntegrityError:
            if in_this_organisation.exists():
                raise Conflict("This email was given a login a moment ago, by another request. Reload the roster: "
                               "the athlete is probably there already.") from None
    raise Conflict("Could not set up a login for this email just now. Try again in a moment.")


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
