"""The engine wired through services: decisions are recorded, applied, signed off, rejected and overridden."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.exceptions import Conflict
from core.models import AuditEvent, Notification
from progression import services
from progression.evidence import assessment_enter, session_log_enter, symptom_report_enter
from progression.models import Decision, Plan, Protocol
from sessions.services import ATHLETE_SESSION_FIELDS

pytestmark = pytest.mark.django_db

TZ = datetime.UTC


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


@pytest.fixture
def plan(world):
    world.org.time_zone = "UTC"
    world.org.save()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    start = timezone.localdate() - datetime.timedelta(days=6)
    return services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_date=start,
                               now=at(start, 8))


def day(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=6 - n)


def log(world, n, *, soreness=1, pain=1, **fields):
    """A session on day n (logged by the athlete; by the clinician when it carries staff measurements), and its
    next-morning report at 08:00 the day after."""
    staff = bool(set(fields) - set(ATHLETE_SESSION_FIELDS))
    entry, _ = session_log_enter(actor=world.clinician if staff else world.athlete_user, athlete=world.athlete,
                                 client_id=uuid.uuid4(), now=at(day(n), 18), date=day(n), pain_during=pain,
                                 rpe=Decimal(5), minutes=40, **fields)
    if soreness is not None:
        symptom_report_enter(actor=world.athlete_user, session_log=entry, client_id=uuid.uuid4(),
                             now=at(day(n + 1), 8), soreness_24h=soreness)
    return entry


def test_a_logged_session_creates_a_decision_listing_every_rule(world, plan):
    log(world, 0, soreness=None)
    decision = Decision.objects.get()
    assert decision.outcome == "hold" and decision.decided_by_rule == "rule.missing_data"
    numbers = [r["number"] for r in decision.reasons if r["kind"] == "rule"]
    assert numbers == [1, 2, 3, 4, 5]
    assert all(r["source"] for r in decision.reasons)
    assert decision.inputs["history"][0]["pain_during"] == 1
    assert decision.protocol_slug == "hamstring-rts" and decision.protocol_version == 1


def test_two_clean_p0_sessions_advance_after_sign_off(world, plan):
    log(world, 0)
    log(world, 2)
    plan.refresh_from_db()
    pending = Decision.objects.filter(status="awaiting_signoff").get()
    assert (pending.outcome, pending.from_phase, pending.to_phase) == ("advance", 0, 1)
    assert plan.current_phase == 0, "an advance waits for sign-off by default"
    assert Notification.objects.filter(recipient=world.clinician, kind="signoff").exists()
    services.decision_sign_off(actor=world.clinician, decision=pending, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.current_phase == 1
    pending.refresh_from_db()
    assert pending.status == "signed_off" and pending.reviewed_by == world.clinician
    assert AuditEvent.objects.filter(action="decision.sign_off").exists()


def test_advance_applies_at_once_when_the_plan_says_so(world, plan):
    Plan.objects.filter(pk=plan.pk).update(advance_requires_signoff=False)
    log(world, 0)
    log(world, 2)
    plan.refresh_from_db()
    assert plan.current_phase == 1
    assert Decision.objects.filter(status="applied", outcome="advance").count() == 1


def test_new_stint_starts_after_a_phase_change(world, plan):
    Plan.objects.filter(pk=plan.pk).update(advance_requires_signoff=False)
    log(world, 0)
    log(world, 2)
    log(world, 3, soreness=None)  # first session of P1
    latest = Decision.objects.order_by("-id").first()
    assert latest.from_phase == 1
    assert len(latest.inputs["history"]) == 1, "the P0 sessions are not in the P1 stint"


def test_red_flag_regresses_to_p0_refers_alerts_and_blocks_progress(world, plan):
    Plan.objects.filter(pk=plan.pk).update(current_phase=3)
    log(world, 0, soreness=None, red_flag=True)
    plan.refresh_from_db()
    decision = Decision.objects.get()
    assert (decision.outcome, decision.to_phase, decision.refer) == ("regress", 0, True)
    assert plan.current_phase == 0 and plan.review_pending
    assert Notification.objects.filter(recipient=world.clinician, kind="red_flag").count() == 1


def test_review_pending_holds_an_advance_until_a_clinician_overrides(world, plan):
    Plan.objects.filter(pk=plan.pk).update(review_pending=True, advance_requires_signoff=False)
    log(world, 0)
    log(world, 2)
    plan.refresh_from_db()
    latest = Decision.objects.order_by("-id").first()
    assert latest.outcome == "hold" and latest.decided_by_rule == "review_pending"
    services.decision_override(actor=world.clinician, decision=latest, to_phase=1, reason="Reviewed: MRI clear.",
                               expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.current_phase == 1 and not plan.review_pending


def test_pain_5_regresses_one_phase_at_once(world, plan):
    Plan.objects.filter(pk=plan.pk).update(current_phase=2)
    log(world, 0, pain=5, soreness=None)
    plan.refresh_from_db()
    assert plan.current_phase == 1
    assert Notification.objects.filter(kind="regress").exists()


def test_reject_needs_a_reason_and_keeps_the_phase(world, plan):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    with pytest.raises(ValidationError):
        services.decision_reject(actor=world.clinician, decision=pending, reason="  ")
    services.decision_reject(actor=world.clinician, decision=pending, reason="Wants one more session.")
    plan.refresh_from_db()
    pending.refresh_from_db()
    assert plan.current_phase == 0 and pending.status == "rejected"


def test_override_needs_a_reason(world, plan):
    entry = log(world, 0, soreness=None)
    assert entry
    decision = Decision.objects.get()
    with pytest.raises(ValidationError):
        services.decision_override(actor=world.clinician, decision=decision, to_phase=2, reason="")


def test_a_stale_form_is_refused(world, plan):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    stale = plan.version - 1
    with pytest.raises(Conflict):
        services.decision_sign_off(actor=world.clinician, decision=pending, expected_version=stale)
    plan.refresh_from_db()
    assert plan.current_phase == 0


def test_signing_off_twice_is_a_conflict(world, plan):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    services.decision_sign_off(actor=world.clinician, decision=pending)
    with pytest.raises(Conflict):
        services.decision_sign_off(actor=world.clinician, decision=pending)


def test_a_hold_for_new_evidence_supersedes_a_pending_advance(world, plan):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    log(world, 4, pain=3)  # the morning report completes the evidence: pain 3 holds (rule 6)
    pending.refresh_from_db()
    assert pending.status == "superseded"
    with pytest.raises(Conflict):
        services.decision_sign_off(actor=world.clinician, decision=pending)


def test_waiting_for_a_morning_report_keeps_a_pending_advance(world, plan):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    newest = log(world, 4, soreness=None)
    latest = Decision.objects.order_by("-id").first()
    assert latest.decided_by_rule == "rule.missing_data"
    pending.refresh_from_db()
    assert pending.status == "awaiting_signoff"
    # The sign-off re-checks first: the newest session's report is still missing, so nothing is applied.
    with pytest.raises(services.EvidenceChanged) as refused:
        services.decision_sign_off(actor=world.clinician, decision=pending, now=at(day(4), 20))
    assert "No next-morning soreness report yet" in refused.value.message
    plan.refresh_from_db()
    pending.refresh_from_db()
    assert plan.current_phase == 0 and pending.status == "superseded"
    assert refused.value.recheck.trigger == "sign_off" and refused.value.recheck.outcome == "hold"
    # The report comes in clean: the engine proposes the advance again, and the sign-off applies it.
    symptom_report_enter(actor=world.athlete_user, session_log=newest, client_id=uuid.uuid4(), now=at(day(5), 8),
                         soreness_24h=1)
    again = Decision.objects.get(status="awaiting_signoff")
    services.decision_sign_off(actor=world.clinician, decision=again, now=at(day(5), 9))
    plan.refresh_from_db()
    assert plan.current_phase == 1


@pytest.mark.parametrize("who", ["coach", "athlete_user", "other_clinician"])
def test_only_the_organisations_clinicians_review(world, plan, who):
    log(world, 0)
    log(world, 2)
    pending = Decision.objects.get(status="awaiting_signoff")
    with pytest.raises(PermissionDenied):
        services.decision_sign_off(actor=getattr(world, who), decision=pending)


def test_clearance_from_p5_always_waits_and_warns_on_time_floor(world, plan):
    Plan.objects.filter(pk=plan.pk).update(current_phase=5, advance_requires_signoff=False)
    world.injury.bamic_site = "c"
    world.injury.save()
    common = dict(strength_lsi=Decimal("95"), strength_method="iso_90_90", technique=Decimal("70"), full_session=True,
                  peak_speed_pct=Decimal("97"))
    log(world, 0, pain=0, soreness=0, **common)
    log(world, 2, pain=0, soreness=0, apprehension=Decimal("0"), **common)
    plan.refresh_from_db()
    decision = Decision.objects.order_by("-id").first()
    assert decision.outcome == "advance" and decision.status == "awaiting_signoff"
    assert plan.current_phase == 5
    assert decision.warnings and decision.warnings[0]["code"] == "time_floor"
    services.decision_sign_off(actor=world.clinician, decision=decision)
    plan.refresh_from_db()
    assert plan.current_phase == 6 and plan.clearance_date == timezone.localdate()


def test_assessment_strength_reaches_the_engine(world, plan):
    Plan.objects.filter(pk=plan.pk).update(current_phase=1, advance_requires_signoff=False)
    log(world, 0, technique=Decimal("80"))
    log(world, 2, technique=Decimal("80"))
    plan.refresh_from_db()
    assert plan.current_phase == 1, "no LSI yet: hold"
    assessment_enter(actor=world.clinician, injury=world.injury, assessed_on=day(3), pain_palpation=0,
                      strength_method="iso_90_90", strength_injured_n=Decimal("270"), strength_uninjured_n=Decimal("300"),
                      now=at(day(3), 12))
    plan.refresh_from_db()
    latest = Decision.objects.order_by("-id").first()
    assert latest.trigger == "assessment"
    assert plan.current_phase == 2, latest.reasons


def test_paused_plan_makes_no_progress(world, plan):
    services.plan_set_status(actor=world.clinician, plan=plan, status="paused", expected_version=plan.version)
    log(world, 0)
    log(world, 2)
    assert not Decision.objects.exists()


def test_a_red_flag_on_a_paused_plan_still_regresses_and_alerts(world, plan):
    """Regression: a paused plan ignored every session, red flags included, so no clinician heard of it."""
    Plan.objects.filter(pk=plan.pk).update(current_phase=3)
    plan.refresh_from_db()
    services.plan_set_status(actor=world.clinician, plan=plan, status="paused", expected_version=plan.version)
    log(world, 0, soreness=None, red_flag=True)
    plan.refresh_from_db()
    assert plan.current_phase == 0 and plan.review_pending and plan.status == "paused"
    assert Notification.objects.filter(recipient=world.clinician, kind="red_flag").count() == 1


def test_a_red_flag_without_a_plan_alerts_the_organisations_clinicians(world):
    session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(), pain_during=8,
                       rpe=Decimal(5), minutes=20)
    assert Notification.objects.filter(recipient=world.clinician, kind="red_flag").count() == 1
    assert not Notification.objects.filter(recipient=world.other_clinician).exists()


def test_only_a_missing_morning_report_keeps_a_pending_advance():
    from progression import engine
    from progression.services.evaluation import _only_waiting_for_report

    protocol = engine.load_default_protocol()
    d = datetime.date(2026, 3, 10)

    def session(day, **kw):
        return engine.SessionInput(date=day, pain_during=1, technique=Decimal(80), **kw)

    fresh = engine.evaluate(protocol, phase=1, today=d, history=[
        session(d - datetime.timedelta(days=2), soreness_24h=1, strength_lsi=Decimal(85)), session(d)])
    stale = engine.evaluate(protocol, phase=1, today=d, history=[
        session(d - datetime.timedelta(days=8), soreness_24h=1, strength_lsi=Decimal(85)), session(d, soreness_24h=1)])
    assert fresh.decided_by == stale.decided_by == "rule.missing_data"
    assert _only_waiting_for_report(fresh) and not _only_waiting_for_report(stale)


def test_a_plan_cannot_start_before_its_injury(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    with pytest.raises(ValidationError) as exc:
        services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                            start_date=world.injury.date_of_injury - datetime.timedelta(days=1))
    assert "before the injury" in exc.value.message_dict["start_date"][0]
