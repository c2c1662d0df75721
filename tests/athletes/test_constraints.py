"""Out-of-range input is refused twice: by validation (plain messages) and by the database itself."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from athletes.models import Injury
from athletes.services import injury_create
from progression.evidence import assessment_enter, session_log_enter, symptom_report_enter
from sessions.models import Assessment, SessionLog, SymptomReport
from web.clinic.forms import AssessmentForm, InjuryForm

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def db_refuses(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


# --- the database ---------------------------------------------------------------------------------------

def test_db_refuses_grade_7(world):
    db_refuses(lambda: Injury.objects.create(athlete=world.athlete, side="left", bamic_grade=7, date_of_injury=TODAY))


def test_db_refuses_injury_in_the_future(world):
    db_refuses(lambda: Injury.objects.create(athlete=world.athlete, side="left", bamic_grade=1,
                                             date_of_injury=TODAY + datetime.timedelta(days=1)))


def test_db_accepts_injury_today(world):
    Injury.objects.create(athlete=world.athlete, side="left", bamic_grade=1, date_of_injury=TODAY)


def test_db_refuses_pain_11(world):
    db_refuses(lambda: SessionLog.objects.create(athlete=world.athlete, pain_during=11, rpe=5, minutes=30))


def test_db_refuses_negative_lsi_on_session(world):
    db_refuses(lambda: SessionLog.objects.create(athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                                                 strength_lsi=Decimal("-5"), strength_method="nordic"))


def test_db_refuses_negative_lsi_on_assessment(world):
    db_refuses(lambda: Assessment.objects.create(injury=world.injury, pain_palpation=1, strength_lsi=Decimal("-5")))


@pytest.mark.parametrize("field,value", [
    ("rpe", 11), ("minutes", 601), ("technique", 101), ("peak_speed_pct", 121), ("apprehension", 101),
    ("technique_fresh", -1), ("efforts_95", 101),
])
def test_db_refuses_session_fields_out_of_range(world, field, value):
    data = {"athlete": world.athlete, "pain_during": 1, "rpe": 5, "minutes": 30, field: value}
    db_refuses(lambda: SessionLog.objects.create(**data))


def test_db_refuses_soreness_11(world):
    log = SessionLog.objects.create(athlete=world.athlete, pain_during=1, rpe=5, minutes=30)
    db_refuses(lambda: SymptomReport.objects.create(session_log=log, soreness_24h=11))


def test_db_refuses_one_legged_strength(world):
    db_refuses(lambda: Assessment.objects.create(injury=world.injury, pain_palpation=1, strength_method="nordic",
                                                 strength_injured_n=Decimal("200")))


def test_db_refuses_a_second_open_plan_per_injury(world):
    from progression.models import Plan, Protocol

    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician)
    db_refuses(lambda: Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician))


# --- validation, in plain words ---------------------------------------------------------------------------

def test_form_refuses_grade_7_and_future_date(world):
    form = InjuryForm(data={"side": "left", "muscle": "bflh", "bamic_grade": 7, "mechanism": "sprint",
                            "date_of_injury": (TODAY + datetime.timedelta(days=2)).isoformat()})
    assert not form.is_valid()
    assert "less than or equal to 4" in form.errors["bamic_grade"][0]


def test_service_refuses_future_injury_with_a_plain_message(world):
    with pytest.raises(ValidationError) as exc:
        injury_create(actor=world.clinician, athlete=world.athlete, side="left", bamic_grade=1,
                      date_of_injury=TODAY + datetime.timedelta(days=1))
    assert exc.value.message_dict["date_of_injury"] == ["The date of injury cannot be in the future."]


def test_assessment_form_refuses_pain_11():
    form = AssessmentForm(data={"assessed_on": TODAY.isoformat(), "pain_palpation": 11})
    assert not form.is_valid()
    assert "less than or equal to 10" in form.errors["pain_palpation"][0]


def test_service_refuses_pain_11(world):
    with pytest.raises(ValidationError) as exc:
        session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=11, rpe=5, minutes=30)
    assert "pain_during" in exc.value.message_dict
    assert not SessionLog.objects.exists()


def test_service_refuses_negative_lsi(world):
    with pytest.raises(ValidationError) as exc:
        session_log_enter(actor=world.clinician, athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                           strength_lsi=Decimal("-5"), strength_method="nordic")
    assert "strength_lsi" in exc.value.message_dict


def test_service_refuses_soreness_11(world):
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=1, rpe=5, minutes=30)
    with pytest.raises(ValidationError) as exc:
        symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=11)
    assert "soreness_24h" in exc.value.message_dict


def test_assessment_computes_lsi_and_needs_both_legs(world):
    a = assessment_enter(actor=world.clinician, injury=world.injury, assessed_on=TODAY, pain_palpation=2,
                          strength_method="iso_90_90", strength_injured_n=Decimal("250"), strength_uninjured_n=Decimal("300"))
    assert a.strength_lsi == Decimal("83.3")
    with pytest.raises(ValidationError) as exc:
        assessment_enter(actor=world.clinician, injury=world.injury, assessed_on=TODAY, pain_palpation=2,
                          strength_method="iso_90_90", strength_injured_n=Decimal("250"))
    assert "uninjured" in exc.value.message_dict["strength_uninjured_n"][0]


def test_assessment_refuses_an_lsi_over_200(world):
    with pytest.raises(ValidationError):
        assessment_enter(actor=world.clinician, injury=world.injury, assessed_on=TODAY, pain_palpation=2,
                          strength_method="nordic", strength_injured_n=Decimal("700"), strength_uninjured_n=Decimal("300"))


def test_assessment_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as exc:
        assessment_enter(actor=world.clinician, injury=world.injury, assessed_on=TODAY + datetime.timedelta(days=1),
                          pain_palpation=2)
    assert "future" in exc.value.message_dict["assessed_on"][0]
