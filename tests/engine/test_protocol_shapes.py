"""Protocols of any shape, written as data: five phases and nine, each with its own criteria from the vocabulary.

Every phase of each is evaluated: advance (from the clearance phase with a clinician's sign-off; from the last
phase, discharge), hold, regress (referring after clearance), late warning signs, and the week's prescription.
"""

from __future__ import annotations

import datetime
import json

import pytest

from progression.engine import (
    Outcome,
    Reading,
    SessionInput,
    evaluate,
    evaluate_late_warning,
    parse_scenario_document,
    run_scenarios,
    week_prescription,
)

from .builders import TODAY, D, reason
from .shapes import load_protocol, meeting_stint

FIVE = load_protocol("five_phases.json")
NINE = load_protocol("nine_phases.json")
PROTOCOLS = {"five": FIVE, "nine": NINE}
EVERY_PHASE = [(name, n) for name, p in PROTOCOLS.items() for n in range(len(p.phases))]
ADVANCE, HOLD, REGRESS = Outcome.ADVANCE, Outcome.HOLD, Outcome.REGRESS


def decide(protocol, phase, history, context, today=TODAY):
    return evaluate(protocol, phase=phase, history=history, today=today, context=context)


def test_the_shape_comes_from_the_data():
    assert (len(FIVE.phases), FIVE.clearance_phase, FIVE.last_phase) == (5, 3, 4)
    assert (len(NINE.phases), NINE.clearance_phase, NINE.last_phase) == (9, 7, 8)
    for p in PROTOCOLS.values():
        assert [ph.is_clearance for ph in p.phases].count(True) == 1
        assert p.phases[p.clearance_phase].is_clearance and p.phases[-1].is_last
        assert [ph.after_clearance for ph in p.phases] == [n > p.clearance_phase for n in range(len(p.phases))]
        assert [p.after_clearance(n) for n in range(len(p.phases))] == [ph.after_clearance for ph in p.phases]
        assert p.sign_off_phases == (p.clearance_phase, p.last_phase)
        assert [ph.refer_on_regress for ph in p.phases] == [False] * (len(p.phases) - 1) + [True]


@pytest.mark.parametrize("name,n", EVERY_PHASE)
def test_every_phase_advances_when_its_criteria_are_met(name, n):
    protocol = PROTOCOLS[name]
    history, context = meeting_stint(protocol, n)
    d = decide(protocol, n, history, context)
    assert d.outcome is ADVANCE, [r.message for r in d.reasons if r.status in ("fired", "not_met")]
    crits = [r for r in d.reasons if r.kind == "criterion"]
    assert [r.code for r in crits] == ["exit." + c.code for c in protocol.phase(n).exit]
    assert all(r.status in ("met", "not_applicable") for r in crits)
    if n == protocol.last_phase:  # discharge
        assert d.to_phase is None and d.discharged
        assert "discharges the plan" in reason(d, "rule.exit_criteria").message
    else:
        assert d.to_phase == n + 1 and not d.discharged
    signs_off = [r.code for r in d.recommendations] == ["clinician_sign_off"]
    assert signs_off is protocol.phase(n).sign_off_to_advance
    if n == protocol.clearance_phase:
        assert signs_off and "return-to-sport clearance" in d.recommendations[0].message


@pytest.mark.parametrize("name,n", EVERY_PHASE)
def test_every_phase_holds_on_missing_data_and_on_a_criterion_not_met(name, n):
    protocol = PROTOCOLS[name]
    history, context = meeting_stint(protocol, n, soreness_24h=None)
    d = decide(protocol, n, history, context)
    assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, n, "rule.missing_data")
    history, context = meeting_stint(protocol, n)
    d = decide(protocol, n, history[1:], context)  # one session short
    assert (d.outcome, d.to_phase, d.refer) == (HOLD, n, False)
    assert d.decided_by.startswith("exit.")
    assert "exit.min_sessions" in reason(d, "rule.exit_criteria").values["not_met"] or protocol.phase(n).min_sessions == 1


@pytest.mark.parametrize("name,n", EVERY_PHASE)
def test_every_phase_regresses_on_pain_and_refers_after_clearance(name, n):
    protocol = PROTOCOLS[name]
    history, context = meeting_stint(protocol, n, pain_during=5)
    d = decide(protocol, n, history, context)
    assert (d.outcome, d.to_phase, d.decided_by) == (REGRESS, max(0, n - 1), "rule.pain_or_soreness_5")
    assert d.refer is protocol.phase(n).refer_on_regress
    history, context = meeting_stint(protocol, n, red_flag=True)
    d = decide(protocol, n, history, context)
    assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (REGRESS, 0, True, "rule.red_flag")


def test_a_clinics_own_rules_decide_where_the_data_puts_them():
    history, context = meeting_stint(NINE, 6, pain_during=6)
    d = decide(NINE, 6, history, context)
    assert (d.outcome, d.to_phase, d.decided_by) == (REGRESS, 4, "rule.pain_or_soreness_6")
    assert "Back to Phase 4." in reason(d, "rule.pain_or_soreness_6").message
    history, context = meeting_stint(FIVE, 2)
    sore = [SessionInput(**{**{f: getattr(s, f) for f in s.__slots__}, "soreness_24h": 2}) for s in history]
    extra = SessionInput(date=history[0].date - datetime.timedelta(days=2), pain_during=0, soreness_24h=2)
    d = decide(FIVE, 2, [extra, *sore], context)
    assert (d.outcome, d.to_phase, d.decided_by) == (REGRESS, 1, "rule.soreness_three_in_a_row")
    assert reason(d, "rule.soreness_three_in_a_row").number == 4


def test_late_warning_signs_are_checked_against_the_rules_the_data_marks():
    assert [r.code for r in NINE.late_warning_rules] == ["red_flag", "pain_or_soreness_6", "pain_or_soreness_5"]
    late = SessionInput(date=TODAY - datetime.timedelta(days=20), pain_during=6)
    d = evaluate_late_warning(NINE, phase=8, session=late, today=TODAY)
    assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (REGRESS, 6, True, "rule.pain_or_soreness_6")
    assert evaluate_late_warning(FIVE, phase=4, session=late, today=TODAY).to_phase == 3
    calm = SessionInput(date=TODAY, pain_during=1, soreness_24h=1)
    assert evaluate_late_warning(NINE, phase=3, session=calm, today=TODAY) is None


def test_clinic_criteria_read_their_fields():
    history, context = meeting_stint(FIVE, 0, rpe=D(6))
    d = decide(FIVE, 0, history, context)
    r = reason(d, "exit.max_rpe")
    assert (d.decided_by, r.status) == ("exit.max_rpe", "not_met")
    assert r.message == (f"Session RPE in the last 2 sessions: 3 ({history[0].date}), 6 ({history[1].date}); "
                         "each must be reported and 5 or less.")
    history, context = meeting_stint(FIVE, 1)
    slow = [SessionInput(**{**{f: getattr(s, f) for f in s.__slots__}, "peak_speed_pct": D(69)}) for s in history]
    r = reason(decide(FIVE, 1, slow, context), "exit.min_fast_sessions")
    assert (r.status, r.values) == ("not_met", {"peak_speed_pct": 0, "min": 2})
    assert r.message == ("0 sessions with peak speed of 70% or more in this phase; 2 or more needed.")
    history, context = meeting_stint(FIVE, 3)
    r = reason(decide(FIVE, 3, history, context), "exit.max_acwr")
    assert (r.status, r.message) == ("met", "Workload ratio (EWMA ACWR) 1.3; 1.3 or less needed.")
    r = reason(decide(FIVE, 3, history, type(context)(load_pct=context.load_pct)), "exit.max_acwr")
    assert (r.status, r.message) == ("not_applicable", "No workload ratio (EWMA ACWR) known, so this criterion does "
                                                       "not apply.")
    history, context = meeting_stint(FIVE, 4, minutes=D(10))
    r = reason(decide(FIVE, 4, history, context), "exit.min_total_minutes")
    assert r.status == "not_met" and r.values["minutes"] == 40 * (len(history) - 1) + 10


def test_a_recent_reading_within_a_window():
    history, context = meeting_stint(NINE, 7)  # the H-test on the latest session, yesterday

    def h_test(days_later: int):
        today = TODAY + datetime.timedelta(days=days_later)
        lsi = Reading(date=today, strength_lsi=D(96))  # a fresh LSI: rule 5 reads a 7-day window too
        d = evaluate(NINE, phase=7, history=history, today=today, context=context, readings=[lsi])
        return reason(d, "exit.recent_h_test"), today

    r, _ = h_test(6)
    assert r.status == "met" and r.values["window_days"] == 7
    assert r.message == f"Apprehension score (H-test) 0 on {history[-1].date} (the most recent within 7 days); 0 or less needed."
    r, today = h_test(7)
    assert r.status == "not_met"
    assert r.message == f"No apprehension score (H-test) recorded within 7 days before {today}; 0 or less needed."


@pytest.mark.parametrize("name,n", EVERY_PHASE)
def test_every_phase_has_its_week(name, n):
    protocol = PROTOCOLS[name]
    ph = protocol.phase(n)
    week = week_prescription(protocol, phase=n, iso_year=2026, iso_week=12, vmax_mps=D("9.2"))
    assert week.phase == n and week.focus == f"Phase {n}: {ph.focus}"
    assert ph.sessions_per_week_min <= len(week.days) <= ph.sessions_per_week_max
    assert not week.warnings
    assert all(day.items for day in week.days)
    json.dumps(week.to_dict())
    chosen = week_prescription(protocol, phase=n, iso_year=2026, iso_week=12, training_days=[1, 2, 3, 4, 5, 6])
    assert len(chosen.days) == 6 and chosen.warnings  # six days is more than any phase plans


def test_scenario_files_for_a_nine_phase_protocol():
    doc = {"protocol": "hamstring-rts-nine", "scenarios": [
        {"id": "N8", "phase": 8, "today": "2026-03-20", "context": {"days_since_rts": 30},
         "history": [{"date": "2026-03-19", "pain_during": 6}],
         "expected": {"outcome": "regress", "to_phase": 6, "refer": True}},
        {"id": "N7", "phase": 7, "today": "2026-03-20",
         "history": [{"date": "2026-03-19", "pain_during": 0, "soreness_24h": 0, "strength_lsi": 96}],
         "expected": {"outcome": "hold", "to_phase": 7}},
    ]}
    document = parse_scenario_document(json.dumps(doc), protocol=NINE)
    _, mismatches = run_scenarios(NINE, document)
    assert mismatches == []
    with pytest.raises(Exception, match="phase: must be 4 or less, got 8"):
        parse_scenario_document(json.dumps(doc), protocol=FIVE)
