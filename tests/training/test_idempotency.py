"""Phones retry: the same client id returns the first record; the same id with other data is a conflict."""
import uuid

import pytest

from core.exceptions import Conflict
from progression.evidence import session_log_enter, symptom_report_enter
from sessions.models import SessionLog, SymptomReport
from tests.conftest import next_morning

pytestmark = pytest.mark.django_db


def test_a_retried_session_is_not_duplicated(world):
    cid = uuid.uuid4()
    first, created = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=cid,
                                        pain_during=1, rpe=5, minutes=30)
    again, created_again = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=str(cid),
                                              pain_during=1, rpe=5, minutes=30)
    assert created and not created_again
    assert again.pk == first.pk
    assert SessionLog.objects.count() == 1


def test_same_client_id_with_other_data_is_a_conflict(world):
    cid = uuid.uuid4()
    session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=cid, pain_during=1, rpe=5, minutes=30)
    with pytest.raises(Conflict) as exc:
        session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=cid, pain_during=3, rpe=5, minutes=30)
    assert "pain_during" in exc.value.message
    assert SessionLog.objects.get().pain_during == 1


def test_client_id_of_another_athlete_is_a_conflict_that_leaks_nothing(world):
    cid = uuid.uuid4()
    session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=cid, pain_during=1, rpe=5, minutes=30)
    with pytest.raises(Conflict) as exc:
        session_log_enter(actor=world.other_athlete_user, athlete=world.other_athlete, client_id=cid,
                           pain_during=1, rpe=5, minutes=30)
    assert "already been used" in exc.value.message


def test_a_retried_report_is_not_duplicated(world):
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=1, rpe=5, minutes=30)
    cid = uuid.uuid4()
    morning = next_morning(world.org)
    r1, c1 = symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=cid, soreness_24h=2, now=morning)
    r2, c2 = symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=cid, soreness_24h=2, now=morning)
    assert (c1, c2) == (True, False) and r1.pk == r2.pk
    assert SymptomReport.objects.count() == 1


def test_a_second_different_report_for_a_session_is_a_conflict(world):
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=1, rpe=5, minutes=30)
    symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=2, now=next_morning(world.org))
    with pytest.raises(Conflict):
        symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=4, now=next_morning(world.org))
    assert SymptomReport.objects.get().soreness_24h == 2


def test_invalid_client_id_is_a_validation_error(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id="not-a-uuid",
                           pain_during=1, rpe=5, minutes=30)
    assert "client_id" in exc.value.message_dict


def test_an_athlete_cannot_log_for_another(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        session_log_enter(actor=world.other_athlete_user, athlete=world.athlete, pain_during=1, rpe=5, minutes=30)


def test_a_session_dated_long_ago_is_refused(world):
    """Regression: a session dated 0001-01-01 was accepted and every evaluation then summed 740,000 days of load."""
    import datetime

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        session_log_enter(actor=world.athlete_user, athlete=world.athlete, date=datetime.date(1, 1, 1),
                           pain_during=1, rpe=5, minutes=30)
    assert "365 days" in exc.value.message_dict["date"][0]


def test_a_session_before_the_injury_of_its_plan_is_refused(world):
    import datetime

    from django.core.exceptions import ValidationError

    from progression.models import Protocol
    from progression.services import plan_start

    plan_start(actor=world.clinician, injury=world.injury, protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    with pytest.raises(ValidationError) as exc:
        session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                           date=world.injury.date_of_injury - datetime.timedelta(days=1))
    assert "before the injury" in exc.value.message_dict["date"][0]
