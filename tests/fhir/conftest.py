"""Fixtures for /fhir/: a demo-like athlete (an injury, a plan that advanced, sessions with every measurement,
next-morning reports, a strength assessment) and the validation against the fhir.resources R4B models."""
import datetime
import uuid
from decimal import Decimal

import pytest
from fhir.resources.R4B import get_fhir_model_class

from progression import services
from progression.models import Protocol
from sessions.models import Assessment, SessionLog, SymptomReport
from tests.conftest import clean_p0_evidence


def validate(resource: dict):
    """The resource parsed by its fhir.resources R4B model (raises on anything the model refuses); and the model's
    own JSON back equals what we served (nothing dropped, nothing renamed)."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return model


@pytest.fixture
def demo(world):
    """World's athlete through P0 into P1, with two P1 sessions (one measured), reports and an assessment."""
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    athlete = world.athlete
    athlete.date_of_birth = datetime.date(2001, 5, 17)
    athlete.vmax_mps = Decimal("9.50")
    athlete.save()
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                               advance_requires_signoff=False)
    clean_p0_evidence(world, plan)
    services.plan_evaluate(plan=plan, actor=world.clinician, trigger="manual")
    plan.refresh_from_db()
    assert plan.current_phase == 1
    today = world.org.today()
    measured = SessionLog.objects.create(
        athlete=athlete, plan=plan, phase=1, pain_during=1, rpe=Decimal("6.5"), minutes=45, date=today,
        technique=Decimal("82.5"), peak_speed_pct=Decimal("71"), peak_speed_mps=Decimal("6.75"),
        strength_lsi=Decimal("86.4"), strength_method="iso_90_90", client_id=uuid.uuid4())
    SymptomReport.objects.create(session_log=measured, soreness_24h=2, sleep_quality=4, fatigue=2,
                                 notes="Tight first thing", client_id=uuid.uuid4())
    Assessment.objects.create(injury=world.injury, clinician=world.clinician, plan=plan, pain_palpation=1,
                              assessed_on=today, strength_method="iso_90_90", strength_injured_n=Decimal("345.5"),
                              strength_uninjured_n=Decimal("400"), strength_lsi=Decimal("86.4"))
    services.plan_evaluate(plan=plan, actor=world.clinician, trigger="manual")
    plan.refresh_from_db()
    return plan
