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
