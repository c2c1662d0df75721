"""Issue 9's findings, each as a test through the services the pages call (progression.evidence).

The clock is fixed (core.clock) so every day and hour below is the organisation's local time (Europe/London).
"""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import clock
from core.models import AuditEvent, Notification, OutboxMessage
from progression import engine, evidence, services
from progression.engine_io import plan_context
from progression.models import Decision, Plan, Protocol
from sessions.checklists import CHECKLISTS
from sessions.models import SessionLog

pytestmark = pytest.mark.django_db

TZ = datetime.UTC
START = datetime.date(2026, 6, 1)  # a Monday


class Course:
    """A plan for world.athlete, started on START in `phase`, and helpers to enter evidence as each person does."""

    def __init__(self, world, phase=0, **plan_kw):
        self.w = world
        world.org.time_zone = "Europe/London"
        world.org.save()
        world.injury.date_of_injury = START - datetime.timedelta(days=10)
        world.injury.save()
        world.athlete.vmax_mps = Decimal("9.40")
        world.athlete.save()
        clock.travel_to(self.at(0, 7))
        protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
        if phase == 6 and "clearance_date" not in plan_kw:
            plan_kw["clearance_date"] = START - datetime.timedelta(days=1)
        self.plan_pk = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                           start_phase=phase, start_date=START, **plan_kw).pk

    @staticmethod
    def at(day, hour, minute=0):
        return datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(hour, minute),
                                         tzinfo=__import__("zoneinfo").ZoneInfo("Europe/London"))

    def go(self, day, hour, minute=0):
        clock.travel_to(self.at(day, hour, minute))

    @property
    def plan(self) -> Plan:
        return Plan.objects.get(pk=self.plan_pk)

    def session(self, day, *, pain=0, rpe=5, minutes=40, red_flag=False, hour=18):
        self.go(day, hour)
        log, _ = evidence.session_log_enter(actor=self.w.athlete_user, athlete=self.w.athlete, client_id=uuid.uuid4(),
                                            date=START + datetime.timedelta(days=day), pain_during=pain,
                                            rpe=Decimal(rpe), minutes=minutes, red_flag=red_flag)
        return log

    def report(self, log, soreness, *, day=None, hour=8):
        day = (log.date - START).days + 1 if day is None else day
        self.go(day, hour)
        report, _ = evidence.symptom_report_enter(actor=self.w.athlete_user, session_log=log, client_id=uuid.uuid4(),
                                                  soreness_24h=soreness)
        return report

    def clean(self, day, soreness=0, **kw):
        log = self.session(day, **kw)
        self.staff(log)
        self.report(log, soreness)
        return log

    def staff(self, log):
        """What the coach and the clinician measure, so that the phase's criteria other than pain and soreness
        are met: technique, peak speed, efforts, a full session, an H-test of 0, strength."""
        phase = log.phase
        if 1 <= phase <= 5:
            kind = "smas" if phase >= 4 else "drill"
            evidence.technique_rating_enter(actor=self.w.coach, session_log=log, kind=kind,
                                            items_correct=[c for c, _ in CHECKLISTS[kind]])
        if phase >= 3:
            extra = {"efforts_95": 3} if phase == 4 else {"full_session": True} if phase == 5 else {}
            evidence.session_measurements_enter(actor=self.w.coach, session_log=log, peak_speed_pct=Decimal(97), **extra)
        if phase >= 1:
            self.assess((log.date - START).days, injured=Decimal(300), uninjured=Decimal(300),
                        h_test=Decimal(0) if phase >= 4 else None)

    def assess(self, day, *, injured, uninjured, h_test=None, technique=None):
        return evidence.assessment_enter(actor=self.w.clinician, injury=self.w.injury,
                                         assessed_on=START + datetime.timedelta(days=day), pain_palpation=0,
                                         strength_method="iso_90_90", strength_injured_n=injured,
                                         strength_uninjured_n=uninjured, h_test_insecurity=h_test,
                                         technique_pct=technique)

    def latest(self) -> Decision:
        return Decision.objects.filter(plan_id=self.plan_pk).order_by("-created_at", "-id").first()


# --- one bad session regresses once -------------------------------------------------------------------------

def test_a_pain_5_session_regresses_once_not_twice(world):
    """Finding: one pain-5 session took a plan from P3 to P1 (the session stayed in the new stint)."""
    c = Course(world, phase=3)
    bad = c.session(0, pain=5)
    assert c.plan.current_phase == 2
    c.report(bad, 1)
    services.plan_reevaluate_nightly(plan=c.plan, now=c.at(2, 3))
    assert c.plan.current_phase == 2
    assert Decision.objects.filter(plan_id=c.plan_pk, outcome="regress").count() == 1
    bad.refresh_from_db()
    assert bad.stint == 1 and c.plan.stint == 2, "the session that triggered the regression stays in its stint"


def test_one_red_flag_gives_one_regression_and_one_email(world):
    c = Course(world, phase=2)
    flagged = c.session(0, pain=3, red_flag=True)
    c.report(flagged, 2)
    c.session(2, pain=0)
    services.plan_reevaluate_nightly(plan=c.plan, now=c.at(3, 3))
    assert Decision.objects.filter(plan_id=c.plan_pk, outcome="regress").count() == 1
    assert Notification.objects.filter(kind="red_flag").count() == 1
    assert OutboxMessage.objects.filter(handler="core.send_notification_email").count() == 1


# --- a red flag never vanishes ------------------------------------------------------------------------------

def test_soreness_7_after_an_override_still_regresses_refers_and_alerts(world):
    """Finding: a next-morning soreness of 7 for a session of an earlier stint produced no decision and no alert,
    while the athlete's page said the clinician was alerted."""
    c = Course(world, phase=2)
    log = c.session(0)
    c.go(0, 20)
    services.decision_override(actor=world.clinician, decision=c.latest(), to_phase=3, reason="Ready: judgement.")
    assert c.plan.current_phase == 3
    c.report(log, 7)
    decision = c.latest()
    assert (decision.outcome, decision.to_phase, decision.refer, decision.late) == ("regress", 0, True, True)
    assert decision.decided_by_rule == "rule.red_flag" and decision.trigger == "symptom_report"
    assert "earlier stint" in decision.trigger_note
    plan = c.plan
    assert plan.current_phase == 0 and plan.review_pending
    assert Notification.objects.filter(kind="red_flag", recipient=world.clinician).count() == 1
    assert OutboxMessage.objects.filter(handler="core.send_notification_email").count() == 1


def test_soreness_7_after_a_pain_5_regression_goes_on_to_p0(world):
    c = Course(world, phase=3)
    bad = c.session(0, pain=5)
    assert c.plan.current_phase == 2
    c.report(bad, 7)
    assert (c.plan.current_phase, c.plan.review_pending) == (0, True)
    assert c.latest().late and c.latest().refer


def test_a_late_report_that_is_no_warning_sign_changes_nothing(world):
    c = Course(world, phase=2)
    log = c.session(0)
    c.go(0, 20)
    services.decision_override(actor=world.clinician, decision=c.latest(), to_phase=3, reason="Judgement.")
    before = Decision.objects.count()
    c.report(log, 4)
    assert Decision.objects.count() == before and c.plan.current_phase == 3


def test_a_late_red_flag_is_not_counted_twice(world):
    c = Course(world, phase=2)
    flagged = c.session(0, red_flag=True)
    assert c.plan.current_phase == 0
    c.report(flagged, 8)  # late (the stint closed) and a warning sign, but already acted on by rule 1
    assert Decision.objects.filter(outcome="regress").count() == 1
    assert Notification.objects.filter(kind="red_flag").count() == 1


def test_a_correction_to_an_old_report_is_a_late_warning(world):
    c = Course(world, phase=0, advance_requires_signoff=False)
    c.clean(0)
    second = c.clean(2)
    assert c.plan.current_phase == 1
    c.go(4, 10)
    evidence.symptom_report_correct(actor=world.clinician, report=second.symptom_report, soreness_24h=7,
                                    reason="The athlete phoned: it was 7, not 0.")
    decision = c.latest()
    assert (decision.outcome, decision.trigger, decision.late, decision.refer) == ("regress", "correction", True, True)
    assert "it was 7, not 0" in decision.trigger_note
    assert c.plan.current_phase == 0


# --- the 24-hour rule ---------------------------------------------------------------------------------------

def test_a_next_morning_report_opens_at_four_the_next_day(world):
    """Finding: a "next-morning" report was accepted minutes after the session."""
    c = Course(world)
    log = c.session(0)
    for day, hour in [(0, 18), (0, 23), (1, 3)]:
        c.go(day, hour, 59)
        with pytest.raises(ValidationError) as refused:
            evidence.symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=0)
        assert "Come back from 04:00 on Tuesday 2 June" in str(refused.value)
    c.go(1, 4)
    evidence.symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=0)
    assert SessionLog.objects.get().symptom_report.soreness_24h == 0


def test_two_sessions_and_two_reports_in_a_minute_cannot_advance(world):
    c = Course(world, advance_requires_signoff=False)
    first, second = c.session(0, hour=18), c.session(0, hour=18)
    for log in (first, second):
        with pytest.raises(ValidationError):
            evidence.symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=0)
    assert c.plan.current_phase == 0 and not Decision.objects.filter(outcome="advance").exists()


# --- sign-off re-checks -----------------------------------------------------------------------------------

def test_a_sign_off_is_refused_when_newer_evidence_contradicts_the_advance(world):
    """Finding: a sign-off applied an advance after a pain-4 session was logged (its report pending)."""
    c = Course(world)
    c.clean(0)
    c.clean(2)
    pending = Decision.objects.get(status="awaiting_signoff")
    c.session(4, pain=4)
    c.go(4, 20)
    with pytest.raises(services.EvidenceChanged) as refused:
        services.decision_sign_off(actor=world.clinician, decision=pending, expected_version=c.plan.version)
    assert c.plan.current_phase == 0
    pending.refresh_from_db()
    assert pending.status == "superseded"
    recheck = refused.value.recheck
    assert (recheck.trigger, recheck.outcome) == ("sign_off", "hold")
    assert "Not signed off" in refused.value.message


def test_a_sign_off_the_evidence_still_supports_applies(world):
    c = Course(world)
    c.clean(0)
    c.clean(2)
    pending = Decision.objects.get(status="awaiting_signoff")
    count = Decision.objects.count()
    c.go(3, 12)
    services.decision_sign_off(actor=world.clinician, decision=pending, expected_version=c.plan.version)
    assert c.plan.current_phase == 1
    assert Decision.objects.count() == count, "a re-check that agrees records nothing more"


# --- numbers as written ---------------------------------------------------------------------------------------

def test_an_lsi_of_89_95_does_not_meet_90(world):
    """Finding: 359.8 N / 400 N = 89.95 was stored as 90.0 and passed the 90 threshold."""
    c = Course(world, phase=3)
    log = c.session(0)
    evidence.technique_rating_enter(actor=world.coach, session_log=log, kind="drill",
                                    items_correct=[code for code, _ in CHECKLISTS["drill"]])
    evidence.session_measurements_enter(actor=world.coach, session_log=log, peak_speed_pct=Decimal(90))
    c.report(log, 0)
    prev = c.session(2)
    evidence.session_measurements_enter(actor=world.coach, session_log=prev, peak_speed_pct=Decimal(90))
    c.report(prev, 0)
    c.go(3, 9)
    assessment = c.assess(3, injured=Decimal("359.8"), uninjured=Decimal(400))
    assert assessment.strength_lsi == Decimal("89.9"), "pages show it rounded down, never up across a threshold"
    decision = c.latest()
    assert decision.outcome == "hold" and decision.decided_by_rule == "exit.min_lsi"
    lsi = next(r for r in decision.reasons if r["code"] == "exit.min_lsi")
    assert lsi["values"]["lsi"] == 89.95 and lsi["status"] == "not_met"


def test_load_of_89_95_percent_does_not_meet_90(world):
    c = Course(world, phase=5, baseline_weekly_load=Decimal(2000))
    for day in range(7):
        c.session(day, rpe=1, minutes=257)  # 7 x 257 = 1799 AU: 89.95 % of 2000
    protocol = engine.load_default_protocol()
    context = plan_context(c.plan, START + datetime.timedelta(days=6), protocol)
    assert context.load_pct == Decimal("89.95")
    from tests.engine.builders import TODAY, clean_stint
    decision = engine.evaluate(protocol, phase=5, history=clean_stint(5), today=TODAY,
                               context=engine.Context(load_pct=context.load_pct))
    criterion = next(r for r in decision.reasons if r.code == "exit.min_load_pct")
    assert criterion.status == "not_met" and decision.decided_by == "exit.min_load_pct"


def test_peak_speed_in_metres_per_second_is_converted_with_the_vmax_exactly(world):
    c = Course(world, phase=3)
    log = c.session(0)
    evidence.session_measurements_enter(actor=world.coach, session_log=log, peak_speed_mps=Decimal("7.98"))
    log.refresh_from_db()
    # 7.98 / 9.40 = 84.89...%: shown rounded down (84.8), compared as computed, below P3's 85 %
    assert log.peak_speed_pct == Decimal("84.8") and log.peak_speed_vmax_mps == Decimal("9.40")
    assert Decimal("84.89") < log.exact_peak_speed_pct < Decimal("84.9")
    evidence.session_measurements_enter(actor=world.coach, session_log=log, peak_speed_mps=Decimal("8.00"),
                                        reason="Second GPS unit read higher.")
    log.refresh_from_db()
    assert log.peak_speed_pct == Decimal("85.1")  # 85.106...
    with pytest.raises(ValidationError) as too_fast:
        evidence.session_measurements_enter(actor=world.coach, session_log=log, peak_speed_mps=Decimal("12"),
                                            reason="x")
    assert "check the value" in str(too_fast.value)


# --- the workload ratio starts with the running -----------------------------------------------------------

def test_the_workload_ratio_starts_on_the_first_logged_session(world):
    """Finding: an athlete whose running starts on day 17 was held at clearance with ACWR 2.44."""
    c = Course(world, phase=0)
    for day in range(17, 48, 2):
        c.session(day, rpe=6, minutes=50)
    context = plan_context(c.plan, START + datetime.timedelta(days=47), engine.load_default_protocol())
    assert context.acwr is not None and context.acwr < Decimal("1.5")


def test_the_21_day_rule_counts_from_the_first_session(world):
    c = Course(world, phase=0)
    c.session(25, rpe=6, minutes=50)
    context = plan_context(c.plan, START + datetime.timedelta(days=40), engine.load_default_protocol())
    assert context.acwr is None  # 16 days of load, not 41


# --- P6 without a P5 sign-off ---------------------------------------------------------------------------

def test_an_override_into_p6_asks_for_the_clearance_date_then_the_plan_can_discharge(world):
    """Finding: a plan put into P6 by override could never be discharged (no clearance date)."""
    c = Course(world, phase=5)
    c.session(0)
    c.go(0, 20)
    with pytest.raises(ValidationError) as missing:
        services.decision_override(actor=world.clinician, decision=c.latest(), to_phase=6, reason="Cleared at the club.")
    assert "clearance_date" in missing.value.message_dict
    services.decision_override(actor=world.clinician, decision=c.latest(), to_phase=6, reason="Cleared at the club.",
                               clearance_date=START - datetime.timedelta(days=5))
    assert c.plan.clearance_date == START - datetime.timedelta(days=5)
    for day in (16, 18, 20, 22):  # 28 days after clearance on day 23
        c.clean(day)
    pending = Decision.objects.get(status="awaiting_signoff")
    assert (pending.from_phase, pending.to_phase) == (6, None)
    c.go(24, 10)
    services.decision_sign_off(actor=world.clinician, decision=pending)
    assert c.plan.status == "completed"


def test_a_plan_started_in_p6_needs_its_clearance_date(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    with pytest.raises(ValidationError) as missing:
        services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_phase=6)
    assert "clearance_date" in missing.value.message_dict


def test_plan_settings_change_at_any_time_audited_and_re_evaluated(world):
    """Finding: the pre-injury load baseline could only be set when a plan starts."""
    c = Course(world, phase=5)
    c.session(0)
    c.go(1, 9)
    plan, changed = services.plan_settings_update(actor=world.clinician, plan=c.plan, expected_version=c.plan.version,
                                                  baseline_weekly_load=Decimal(1500), vmax_mps=Decimal("9.80"),
                                                  training_days=[2, 4, 6])
    assert set(changed) == {"baseline_weekly_load", "vmax_mps", "training_days"}
    event = AuditEvent.objects.get(action="plan.settings")
    assert event.before["baseline_weekly_load"] is None and event.after["baseline_weekly_load"] == 1500
    assert event.before["vmax_mps"] == 9.4 and event.after["vmax_mps"] == 9.8
    world.athlete.refresh_from_db()
    assert world.athlete.training_days == [2, 4, 6]
    with pytest.raises(PermissionDenied):
        services.plan_settings_update(actor=world.coach, plan=c.plan, baseline_weekly_load=Decimal(1))


# --- corrections -------------------------------------------------------------------------------------------

def test_a_clinician_corrects_a_session_with_a_reason_and_the_plan_is_re_evaluated(world):
    c = Course(world, phase=2)
    log = c.session(0, pain=4)
    assert c.latest().decided_by_rule == "rule.missing_data"
    c.go(0, 19)
    with pytest.raises(ValidationError):
        evidence.session_log_correct(actor=world.clinician, log=log, pain_during=1)  # no reason
    evidence.session_log_correct(actor=world.clinician, log=log, pain_during=1, reason="Typed 4 for 1.")
    log.refresh_from_db()
    assert log.pain_during == 1 and log.corrected_at is not None
    event = AuditEvent.objects.get(action="session_log.correct")
    assert event.before == {"pain_during": 4} and event.after["pain_during"] == 1
    decision = c.latest()
    assert decision.trigger == "correction" and "pain during 1" in decision.trigger_note


def test_an_athlete_corrects_their_own_session_on_the_same_day_only(world):
    c = Course(world)
    log = c.session(0, pain=3)
    c.go(0, 21)
    evidence.session_log_correct(actor=world.athlete_user, log=log, pain_during=2)
    assert SessionLog.objects.get().pain_during == 2
    c.go(1, 9)
    with pytest.raises(PermissionDenied):
        evidence.session_log_correct(actor=world.athlete_user, log=log, pain_during=0)
    with pytest.raises(TypeError):
        evidence.session_log_correct(actor=world.athlete_user, log=log, technique=Decimal(90))


def test_a_voided_session_leaves_the_stint_and_the_workload(world):
    c = Course(world, advance_requires_signoff=False)
    c.clean(0)
    wrong = c.session(1, pain=4, rpe=9, minutes=200)
    c.go(1, 20)
    evidence.session_log_void(actor=world.clinician, log=wrong, reason="Logged for the wrong athlete.")
    wrong.refresh_from_db()
    assert wrong.is_void and SessionLog.objects.count() == 2, "nothing clinical is deleted"
    latest = c.latest()
    assert latest.trigger == "correction" and len(latest.inputs["history"]) == 1
    with pytest.raises(PermissionDenied):
        evidence.session_log_void(actor=world.athlete_user, log=wrong, reason="x")


def test_an_assessment_correction_recomputes_the_lsi(world):
    c = Course(world, phase=1)
    a = c.assess(0, injured=Decimal(200), uninjured=Decimal(300))
    c.go(0, 12)
    evidence.assessment_correct(actor=world.clinician, assessment=a, strength_injured_n=Decimal(280),
                                reason="Wrong leg first.")
    a.refresh_from_db()
    assert a.strength_lsi == Decimal("93.3")
    event = AuditEvent.objects.get(action="assessment.correct")
    assert event.before["strength_lsi"] == 66.6 and event.after["strength_lsi"] == 93.3


# --- ratings and measurements ----------------------------------------------------------------------------------

def test_a_re_rating_without_fresh_and_fatigued_keeps_the_earlier_ones(world):
    """Finding: a re-rating overwrote the fresh and fatigued scores."""
    c = Course(world, phase=1)
    log = c.session(0)
    items = [code for code, _ in CHECKLISTS["drill"]]
    evidence.technique_rating_enter(actor=world.coach, session_log=log, kind="drill", items_correct=items,
                                    fresh_pct=Decimal(90), fatigued_pct=Decimal(60))
    evidence.technique_rating_enter(actor=world.coach, session_log=log, kind="drill", items_correct=items[:6])
    log.refresh_from_db()
    assert (log.technique, log.technique_fresh, log.technique_fatigued) == (Decimal(75), Decimal(90), Decimal(60))


def test_changing_a_recorded_measurement_is_a_correction(world):
    c = Course(world, phase=4)
    log = c.session(0)
    evidence.session_measurements_enter(actor=world.coach, session_log=log, efforts_95=2)
    with pytest.raises(ValidationError) as needs_reason:
        evidence.session_measurements_enter(actor=world.coach, session_log=log, efforts_95=4)
    assert "reason" in needs_reason.value.message_dict
    evidence.session_measurements_enter(actor=world.coach, session_log=log, efforts_95=4, reason="Miscounted.")
    assert AuditEvent.objects.filter(action="session_log.correct_measurements").count() == 1
    with pytest.raises(ValidationError):
        evidence.session_measurements_enter(actor=world.coach, session_log=log, apprehension=Decimal(0))


def test_an_assessment_h_test_holds_phase_4(world):
    """Finding: P4 advanced with an H-test insecurity of 40 entered in an assessment."""
    c = Course(world, phase=4)
    c.clean(0)
    second = c.session(2)
    c.staff(second)
    c.go(2, 19)
    c.assess(2, injured=Decimal(300), uninjured=Decimal(300), h_test=Decimal(40))
    c.report(second, 0)
    decision = c.latest()
    assert decision.outcome == "hold" and decision.decided_by_rule == "rule.apprehension"


# --- alerts resolve -------------------------------------------------------------------------------------------

def test_alerts_resolve_with_their_decision_and_leave_the_badge(world, client_for):
    """Finding: superseded and already-signed sign-off alerts stayed "new" and the badge kept counting."""
    c = Course(world)
    c.clean(0)
    c.clean(2)
    alert = Notification.objects.get(kind="signoff")
    page = client_for(world.clinician).get("/notifications/").content.decode()
    assert 'aria-label="1 unread"' in page
    services.decision_sign_off(actor=world.clinician, decision=Decision.objects.get(status="awaiting_signoff"))
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    page = client_for(world.clinician).get("/notifications/").content.decode()
    assert "unread" not in page


def test_a_superseded_advance_resolves_its_alert(world):
    c = Course(world)
    c.clean(0)
    c.clean(2)
    c.clean(4, soreness=3)  # the hold supersedes the pending advance
    assert Notification.objects.get(kind="signoff").resolved_at is not None


def test_a_rating_with_every_item_wrong_is_a_score_of_zero(world):
    """A coach rating every item wrong got "This field cannot be blank." (items_correct == [])."""
    c = Course(world, phase=1)
    log = c.session(0)
    rating = evidence.technique_rating_enter(actor=world.coach, session_log=log, kind="drill", items_correct=[])
    assert rating.score == 0
    log.refresh_from_db()
    assert log.technique == 0
