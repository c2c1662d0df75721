"""Writes check permission, validate and leave an audit event."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from athletes import services
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_clinician_adds_an_athlete_and_it_is_audited(world):
    athlete = services.athlete_create(actor=world.clinician, organisation=world.org, first_name="New", last_name="One",
                                      team=world.team, training_days=[1, 4])
    event = AuditEvent.objects.get(action="athlete.create", target_id=str(athlete.pk))
    assert event.actor == world.clinician and event.organisation == world.org
    assert event.after["first_name"] == "New"


@pytest.mark.parametrize("who", ["coach", "athlete_user", "other_clinician"])
def test_only_the_organisations_clinicians_add_athletes(world, who):
    with pytest.raises(PermissionDenied):
        services.athlete_create(actor=getattr(world, who), organisation=world.org, first_name="X", last_name="Y")


def test_injury_by_another_organisation_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.injury_create(actor=world.other_clinician, athlete=world.athlete, side="left", bamic_grade=1,
                               date_of_injury=datetime.date.today())


def test_team_from_another_organisation_is_refused(world):
    from django.core.exceptions import ValidationError

    foreign_team = world.foreign_athlete.team
    with pytest.raises(ValidationError) as exc:
        services.athlete_create(actor=world.clinician, organisation=world.org, first_name="X", last_name="Y",
                                team=foreign_team)
    assert "another organisation" in str(exc.value)


def test_training_days_are_validated(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.athlete_create(actor=world.clinician, organisation=world.org, first_name="X", last_name="Y",
                                training_days=[0, 8])


def test_adding_an_athlete_with_an_email_invites_them(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        athlete = services.athlete_create(actor=world.clinician, organisation=world.org, first_name="Mia",
                                          last_name="Fast", login_email="Mia@Example.org")
    assert athlete.user.username == "mia@example.org" and not athlete.user.has_usable_password()
    assert athlete.user.memberships.get().role == "athlete"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["mia@example.org"]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_an_email_that_already_has_a_login_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.athlete_create(actor=world.clinician, organisation=world.org, first_name="X", last_name="Y",
                                login_email=world.clinician.username)
    assert "login_email" in exc.value.message_dict


def test_add_athlete_page_accepts_a_team_of_the_organisation(world, client_for):
    """Regression: the form validated the team against an instance with no organisation and refused every team."""
    response = client_for(world.clinician).post("/clinic/athletes/new/", {
        "first_name": "Mia", "last_name": "Fast", "team": world.team.pk})
    assert response.status_code == 302, response.content.decode()
    assert world.team.athletes.filter(first_name="Mia").exists()
