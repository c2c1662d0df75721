"""The return-to-sport clearance report (issue 14, point 5): made when a clinician signs off clearance and again
at discharge, stored with the decision, downloadable from the athlete page; its text read back with pypdf."""
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import OutboxMessage
from progression import services
from progression.clearance_report import clearance_report_create
from progression.models import ClearanceReport, Decision, Plan
from tests.progression.test_services import at, day, log, plan  # noqa: F401  (the plan fixture)

pytestmark = pytest.mark.django_db

COMMON = dict(strength_lsi=Decimal("95"), strength_method="iso_90_90", technique=Decimal("70"), full_session=True,
              peak_speed_pct=Decimal("97"))


def text_of(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def cleared(world, plan, django_capture_on_commit_callbacks):  # noqa: F811
    """A plan in P5 whose clearance a clinician signs off (the outbox runs after commit, as in production)."""
    world.clinician.first_name, world.clinician.last_name = "Dana", "Doc"
    world.clinician.save()
    world.injury.bamic_grade, world.injury.bamic_site = 2, "b"
    world.injury.date_of_injury = day(0) - datetime.timedelta(days=20)
    world.injury.save()
    Plan.objects.filter(pk=plan.pk).update(current_phase=5)
    log(world, 0, pain=0, soreness=0, **COMMON)
    log(world, 2, pain=0, soreness=0, apprehension=Decimal("0"), **COMMON)
    decision = Decision.objects.get(status="awaiting_signoff")
    assert (decision.from_phase, decision.to_phase) == (5, 6)
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_sign_off(actor=world.clinician, decision=decision, now=at(day(3), 10))
    decision.refresh_from_db()
    return decision


def test_signing_off_clearance_stores_a_report_that_says_what_the_clinic_needs(world, cleared):
    report = ClearanceReport.objects.get(decision=cleared)
    assert report.kind == "clearance"
    with report.file.open("rb") as handle:
        text, pages = text_of(handle.read())
    text = flat(text)
    assert 1 <= pages <= 2 and report.pages == pages
    assert "Return-to-sport clearance report: Alex Runner" in text
    assert "BAMIC grade 2b" in text
    # Days to clearance against the published range for the grade, with its source.
    assert "23 days after the injury" in text or "days after the injury" in text
    assert "Published typical range for a grade 1-2 injury: 17-24 days" in text
    assert "Ekstrand 2016; Pollock 2022" in text
    # Every exit criterion of P5, with value, threshold and source.
    assert "Exit criteria of P5" in text
    for reason in cleared.reasons:
        if reason["kind"] == "criterion":
            assert flat(reason["title"]) in text, reason["title"]
    assert "Practice default of this protocol" in text
    assert ">= 90" in text or ">= 95" in text  # the LSI threshold
    # Strength and speed trend, apprehension, who signed off when.
    assert "Strength (limb symmetry index) trend" in text and "95" in text
    assert "Speed trend" in text and "97" in text
    assert "Apprehension" in text and "session (H-test)" in text
    assert "Clearance signed off by Dana Doc on" in text


def test_the_report_counts_the_days_from_injury_to_clearance(world, cleared):
    the_plan = Plan.objects.get(pk=cleared.plan_id)
    days = (the_plan.clearance_date - world.injury.date_of_injury).days
    with ClearanceReport.objects.get(decision=cleared).file.open("rb") as handle:
        text = flat(text_of(handle.read())[0])
    assert f"{days} days after the injury" in text


def test_the_report_is_made_once_and_a_pdf_failure_never_fails_the_sign_off(world, plan, monkeypatch,  # noqa: F811
                                                                             django_capture_on_commit_callbacks):
    Plan.objects.filter(pk=plan.pk).update(current_phase=5)
    log(world, 0, pain=0, soreness=0, **COMMON)
    log(world, 2, pain=0, soreness=0, apprehension=Decimal("0"), **COMMON)
    decision = Decision.objects.get(status="awaiting_signoff")

    def broken(decision):
        raise RuntimeError("the PDF library fell over")

    monkeypatch.setattr("progression.clearance_report.clearance_report_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_sign_off(actor=world.clinician, decision=decision, now=at(day(3), 10))
    decision.refresh_from_db()
    plan.refresh_from_db()
    assert decision.status == "signed_off" and plan.current_phase == 6  # the sign-off stands
    assert not ClearanceReport.objects.filter(decision=decision).exists()
    message = OutboxMessage.objects.get(handler="progression.clearance_report")
    assert message.status == "pending" and "fell over" in message.last_error  # retried later
    monkeypatch.undo()
    first = clearance_report_create(decision_id=decision.pk)
    assert first is not None and clearance_report_create(decision_id=decision.pk).pk == first.pk


def test_an_ordinary_advance_gets_no_report(world, plan, django_capture_on_commit_callbacks):  # noqa: F811
    log(world, 0)
    log(world, 2)
    decision = Decision.objects.get(status="awaiting_signoff")
    assert (decision.from_phase, decision.to_phase) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_sign_off(actor=world.clinician, decision=decision, now=at(day(3), 10))
    assert not ClearanceReport.objects.exists()
    assert not OutboxMessage.objects.filter(handler="progression.clearance_report").exists()


def test_discharge_gets_its_own_report_with_both_last_phases(world, cleared, django_capture_on_commit_callbacks):
    the_plan = Plan.objects.get(pk=cleared.plan_id)
    facts_decision = Decision.objects.create(
        plan=the_plan, trigger="session_log", protocol_slug=cleared.protocol_slug, protocol_version=1,
        decided_on=day(6), inputs={}, reasons=[{"code": "exit.min_days_since_rts", "kind": "criterion",
                                               "number": None, "title": "Days since clearance", "status": "met",
                                               "message": "28 days since clearance; 28 or more needed.",
                                               "values": {"days_since_rts": 28, "min": 28},
                                               "source": "Practice default of this protocol."}],
        decided_by_rule="rule.exit_criteria", outcome="advance", from_phase=6, to_phase=None,
        status="signed_off", reviewed_by=world.clinician, reviewed_at=at(day(6), 9),
    )
    Plan.objects.filter(pk=the_plan.pk).update(status="completed", completed_on=day(6))
    report = clearance_report_create(decision_id=facts_decision.pk)
    assert report.kind == "discharge"
    with report.file.open("rb") as handle:
        text, pages = text_of(handle.read())
    text = flat(text)
    assert pages <= 2
    assert "Discharge report: Alex Runner" in text and "Discharged on" in text
    assert "Exit criteria of P6" in text and "Exit criteria of P5" in text  # the last two phases
    assert "days since rts: 28" in text and ">= 28" in text
    assert "Discharge signed off by Dana Doc" in text


def test_the_care_team_downloads_the_report_from_the_athlete_page(client, world, cleared):
    client.force_login(world.clinician)
    page = client.get(reverse("clinic:athlete", args=[world.athlete.pk])).content.decode()
    url = reverse("clinic:clearance_report", args=[cleared.pk])
    assert url in page and "Return-to-sport clearance report (PDF" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "Alex Runner" in text_of(response.content)[0]
    client.force_login(world.other_clinician)
    assert client.get(url).status_code == 404
