"""A "day" is the organisation's local day, not the server's UTC date (DESIGN.md, "Time is explicit")."""
import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from athletes.services import injury_create
from progression.evidence import assessment_enter, session_log_enter

pytestmark = pytest.mark.django_db

# 20:00 UTC on 23 November is 09:00 on 24 November in Auckland (UTC+13).
INSTANT = datetime.datetime(2026, 11, 23, 20, 0, tzinfo=datetime.UTC)
AUCKLAND_TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def auckland(world):
    world.org.time_zone = "Pacific/Auckland"
    world.org.save()
    world.injury.date_of_injury = datetime.date(2026, 11, 1)
    world.injury.save()
    return world


def test_an_injury_dated_today_in_auckland_is_not_in_the_future(auckland):
    """Regression: 'not in the future' compared with the server's UTC date and refused Auckland's today."""
    with mock.patch.object(timezone, "now", return_value=INSTANT):
        injury = injury_create(actor=auckland.clinician, athlete=auckland.athlete, side="left", bamic_grade=1,
                               date_of_injury=AUCKLAND_TODAY)
    assert injury.recorded_on == AUCKLAND_TODAY


def test_the_injury_form_accepts_auckland_today(auckland, client_for):
    with mock.patch.object(timezone, "now", return_value=INSTANT):
        response = client_for(auckland.clinician).post(f"/clinic/athletes/{auckland.athlete.pk}/injuries/new/", {
            "side": "left", "muscle": "bflh", "bamic_grade": 1, "bamic_site": "a", "mechanism": "sprint",
            "date_of_injury": AUCKLAND_TODAY.isoformat()})
    assert response.status_code == 302, response.content.decode()


def test_an_assessment_and_a_session_today_in_auckland(auckland):
    with mock.patch.object(timezone, "now", return_value=INSTANT):
        assessment = assessment_enter(actor=auckland.clinician, injury=auckland.injury, assessed_on=AUCKLAND_TODAY,
                                       pain_palpation=1)
        log, _ = session_log_enter(actor=auckland.athlete_user, athlete=auckland.athlete, date=AUCKLAND_TODAY,
                                    pain_during=1, rpe=Decimal(4), minutes=30)
    assert assessment.recorded_on == AUCKLAND_TODAY and log.recorded_on == AUCKLAND_TODAY


def test_tomorrow_in_auckland_is_still_the_future(auckland):
    from django.core.exceptions import ValidationError

    with mock.patch.object(timezone, "now", return_value=INSTANT), pytest.raises(ValidationError):
        injury_create(actor=auckland.clinician, athlete=auckland.athlete, side="left", bamic_grade=1,
                      date_of_injury=AUCKLAND_TODAY + datetime.timedelta(days=1))
