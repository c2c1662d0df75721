"""Issue 12 point 8: the clinic's set-up writes (teams, coach invitations, moves, deactivated memberships)."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from athletes import selectors, services
from athletes.models import Athlete, Membership, Team
from core.access import access_for, forget_access
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_a_team_is_created_and_renamed_with_an_audit_event_each(world):
    team = services.team_create(actor=world.clinician, organisation=world.org, name="  Under-23s ")
    assert team.name == "Under-23s"
    services.team_rename(actor=world.clinician, team=team, name="Under-21s")
    team.refresh_from_db()
    assert team.name == "Under-21s"
    [created] = _events("team.create")
    [renamed] = _events("team.rename")
    assert created.actor == world.clinician and created.organisation == world.org
    assert renamed.before == {"name": "Under-23s"} and renamed.after == {"name": "Under-21s"}


@pytest.mark.parametrize("name", ["Firsts", "firsts", " FIRSTS "])
def test_a_duplicate_team_name_is_refused_in_plain_words(world, name):
    with pytest.raises(ValidationError) as exc:
        services.team_create(actor=world.clinician, organisation=world.org, name=name)
    assert exc.value.message_dict["name"] == [f"Northside already has a team called “{name.strip()}”. Choose another name."]
    with pytest.raises(ValidationError):
        services.team_rename(actor=world.clinician, team=world.other_team, name=name)
    assert Team.objects.filter(organisation=world.org).count() == 2


def test_renaming_a_team_to_its_own_name_in_another_case_is_allowed(world):
    services.team_rename(actor=world.clinician, team=world.team, name="FIRSTS")
    world.team.refresh_from_db()
    assert world.team.name == "FIRSTS"


def test_another_organisations_name_is_free(world):
    services.team_create(actor=world.other_clinician, organisation=world.other_org, name="Firsts")


def test_only_a_clinician_of_the_organisation_manages_its_teams(world):
    for actor in (world.coach, world.other_clinician, world.athlete_user):
        with pytest.raises(PermissionDenied):
            services.team_create(actor=actor, organisation=world.org, name="New")
        with pytest.raises(PermissionDenied):
            services.team_rename(actor=actor, team=world.team, name="New")
        with pytest.raises(PermissionDenied):
            services.team_coaches_set(actor=actor, team=world.team, coaches=[world.other_coach])
    assert not _events("team.create") and not _events("team.rename") and not _events("team.coaches")


def test_coaches_are_assigned_and_see_the_team(world):
    assert world.athlete not in selectors.athlete_list(user=world.other_coach)
    services.team_coaches_set(actor=world.clinician, team=world.team, coaches=[world.coach, world.other_coach])
    forget_access(world.other_coach)
    assert world.athlete in selectors.athlete_list(user=world.other_coach)
    [event] = _events("team.coaches")
    assert event.before == {"coaches": [world.coach.pk]}
    assert event.after == {"coaches": sorted([world.coach.pk, world.other_coach.pk])}


def test_a_coach_of_another_organisation_cannot_be_assigned(world):
    from tests.factories import MembershipFactory, UserFactory

    foreign = MembershipFactory(organisation=world.other_org, role="coach", user=UserFactory(username="far")).user
    with pytest.raises(PermissionDenied):
        services.team_coaches_set(actor=world.clinician, team=world.team, coaches=[foreign])
    assert list(world.team.coaches.all()) == [world.coach]


def test_a_coach_is_invited_by_email_with_a_set_password_link(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.coach_invite(actor=world.clinician, organisation=world.org, email=" Kim@Example.org ",
                                     first_name="Kim", last_name="Lee")
    assert user.username == "kim@example.org" and not user.has_usable_password()
    assert user.memberships.get().role == "coach"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["kim@example.org"]
    assert "/accounts/reset/" in mailoutbox[0].body and "as a coach" in mailoutbox[0].body
    [event] = _events("coach.invite")
    assert event.after["email"] == "kim@example.org" and event.organisation == world.org


def test_an_email_already_a_member_is_refused(world):
    world.coach.email = "coach@example.org"
    world.coach.save()
    world.athlete_user.username = "alex@example.org"
    world.athlete_user.save()
    for email in ("coach@example.org", "COACH@example.org", "alex@example.org"):
        with pytest.raises(ValidationError) as exc:
            services.coach_invite(actor=world.clinician, organisation=world.org, email=email)
        assert exc.value.message_dict["email"] == ["This email is already a member of Northside."]
    assert not _events("coach.invite")


def test_an_email_known_only_elsewhere_gets_a_login_of_its_own(world):
    from tests.factories import MembershipFactory, UserFactory

    MembershipFactory(organisation=world.other_org, role="coach",
                      user=UserFactory(username="pat@example.org", email="pat@example.org"))
    user = services.coach_invite(actor=world.clinician, organisation=world.org, email="pat@example.org")
    assert user.username == "northside.pat@example.org"
    assert list(user.memberships.values_list("organisation_id", flat=True)) == [world.org.pk]


def test_a_bad_email_is_refused_in_plain_words(world):
    with pytest.raises(ValidationError) as exc:
        services.coach_invite(actor=world.clinician, organisation=world.org, email="not an email")
    assert exc.value.message_dict["email"] == ["Enter an email address such as coach@example.org."]


def test_an_athlete_moves_between_teams_audited(world):
    services.athlete_move(actor=world.clinician, athlete=world.athlete, team=world.other_team)
    assert Athlete.objects.get(pk=world.athlete.pk).team == world.other_team
    [event] = _events("athlete.move")
    assert event.before == {"team_id": world.team.pk} and event.after == {"team_id": world.other_team.pk}
    forget_access(world.other_coach)
    assert world.athlete in selectors.athlete_list(user=world.other_coach)
    forget_access(world.coach)
    assert world.athlete not in selectors.athlete_list(user=world.coach)


def test_moving_to_a_team_of_another_organisation_is_refused(world):
    foreign_team = world.foreign_athlete.team
    with pytest.raises(ValidationError) as exc:
        services.athlete_move(actor=world.clinician, athlete=world.athlete, team=foreign_team)
    assert "another organisation" in exc.value.message_dict["team"][0]
    assert Athlete.objects.get(pk=world.athlete.pk).team == world.team
    assert not _events("athlete.move")
    with pytest.raises(PermissionDenied):
        services.athlete_move(actor=world.other_clinician, athlete=world.athlete, team=foreign_team)


def test_a_deactivated_coach_loses_access_to_the_organisation(world):
    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    assert world.athlete in selectors.athlete_list(user=world.coach)
    services.membership_deactivate(actor=world.clinician, membership=membership)
    coach = type(world.coach).objects.get(pk=world.coach.pk)  # a new request: a fresh user object
    access = access_for(coach)
    assert not access.is_coach and access.coach_team_ids == frozenset() and access.org_ids == frozenset()
    assert list(selectors.athlete_list(user=coach)) == []
    assert coach not in selectors.coaches_of(organisation=world.org)
    [event] = _events("membership.deactivate")
    assert event.before == {"is_active": True} and event.after == {"is_active": False}
    services.membership_reactivate(actor=world.clinician, membership=membership)
    coach = type(world.coach).objects.get(pk=world.coach.pk)
    assert world.athlete in selectors.athlete_list(user=coach)
    assert len(_events("membership.activate")) == 1


def test_a_deactivated_clinician_loses_the_organisation_but_keeps_another(world):
    from tests.factories import MembershipFactory

    MembershipFactory(organisation=world.other_org, role="clinician", user=world.clinician)
    membership = Membership.objects.get(user=world.clinician, organisation=world.org)
    services.membership_deactivate(actor=_second_clinician(world), membership=membership)
    clinician = type(world.clinician).objects.get(pk=world.clinician.pk)
    assert access_for(clinician).clinician_org_ids == frozenset({world.other_org.pk})
    assert world.athlete not in selectors.athlete_list(user=clinician)
    assert world.foreign_athlete in selectors.athlete_list(user=clinician)


def _second_clinician(world):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(organisation=world.org, role="clinician", user=UserFactory(username="clin3")).user


def test_a_clinician_cannot_deactivate_their_own_membership(world):
    membership = Membership.objects.get(user=world.clinician, organisation=world.org)
    with pytest.raises(ValidationError):
        services.membership_deactivate(actor=world.clinician, membership=membership)
    assert Membership.objects.get(pk=membership.pk).is_active


def test_a_deactivated_coach_cannot_be_assigned_and_gets_no_weekly_email(world):
    membership = Membership.objects.get(user=world.other_coach, organisation=world.org)
    services.membership_deactivate(actor=world.clinician, membership=membership)
    with pytest.raises(PermissionDenied):
        services.team_coaches_set(actor=world.clinician, team=world.team, coaches=[world.other_coach])
    from progression.tasks import _coaches

    world.other_coach.email = "c2@example.org"
    world.other_coach.save()
    assert world.other_coach not in list(_coaches(world.org))
