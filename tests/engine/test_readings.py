"""App-only extensions for issue 9: assessment readings carry apprehension and technique, and late warning signs.

- An assessment's H-test reaches the engine as an apprehension reading on its date; its technique score as a
  technique reading (the criterion reads the most recent of sessions and readings).
- A warning sign that arrives late for a session of an earlier stint is checked against rules 1 and 2 alone.
"""

from __future__ import annotations

import pytest

from progression.engine import Outcome, Reading, SessionInput, evaluate, evaluate_late_warning

from .builders import PROTOCOL, TODAY, D, clean_context, clean_stint, day, reason


def run(phase, hist, readings):
    return evaluate(PROTOCOL, phase=phase, history=hist, today=TODAY, context=clean_context(phase), readings=readings)


def _with(s: SessionInput, **fields) -> SessionInput:
    data = {n: getattr(s, n) for n in SessionInput.__slots__}
    data.update(fields)
    return SessionInput(**data)


def test_reading_converts_numbers():
    r = Reading(date=day(0), apprehension=40, technique="66.7", strength_lsi=89.95, ref="assessment:1")
    assert (r.apprehension, r.technique, r.strength_lsi) == (D(40), D("66.7"), D("89.95"))


@pytest.mark.parametrize("phase", [4, 5, 6])
def test_assessment_h_test_above_zero_holds_from_p4(phase):
    """The finding: P4 advanced with an H-test insecurity of 40 entered in an assessment."""
    hist = clean_stint(phase)
    assert run(phase, hist, []).outcome is Outcome.ADVANCE
    d = run(phase, hist, [Reading(date=day(0), apprehension=D(40), ref="assessment:9")])
    assert d.outcome is Outcome.HOLD
    assert d.decided_by == "rule.apprehension"
    r = reason(d, "rule.apprehension")
    assert r.values["apprehension"] == D(40) and r.values["ref"] == "assessment:9"
    assert "in an assessment" in r.message


def test_assessment_h_test_before_the_latest_session_is_not_rule_9_but_is_the_p4_criterion():
    hist = clean_stint(4)  # latest session yesterday, no apprehension score
    d = run(4, hist, [Reading(date=day(5), apprehension=D(40))])
    assert reason(d, "rule.apprehension").status == "clear"
    assert d.decided_by == "exit.max_apprehension"  # the most recent score in the stint is 40


def test_session_score_after_the_assessment_wins():
    hist = clean_stint(4, latest={"apprehension": D(0)})
    d = run(4, hist, [Reading(date=day(5), apprehension=D(40))])
    assert d.outcome is Outcome.ADVANCE
    assert reason(d, "exit.max_apprehension").values["apprehension"] == D(0)


def test_p5_apprehension_recorded_in_an_assessment_counts():
    hist = clean_stint(5, latest={"apprehension": None})
    assert run(5, hist, []).decided_by == "exit.max_apprehension"  # P5 needs a score in the phase
    d = run(5, hist, [Reading(date=day(0), apprehension=D(0), ref="assessment:2")])
    assert d.outcome is Outcome.ADVANCE
    assert reason(d, "exit.max_apprehension").values["ref"] == "assessment:2"


@pytest.mark.parametrize("score,outcome", [(D(75), Outcome.ADVANCE), (D("74.9"), Outcome.HOLD)])
def test_assessment_technique_is_the_most_recent_score(score, outcome):
    hist = clean_stint(2, latest={"technique": D(100)})
    d = run(2, hist, [Reading(date=day(0), technique=score, ref="assessment:4")])  # today: after the session
    assert d.outcome is outcome
    assert reason(d, "exit.min_technique").values["technique"] == score


def test_assessment_technique_older_than_the_session_does_not_replace_it():
    hist = clean_stint(2, latest={"technique": D(100)})
    d = run(2, hist, [Reading(date=day(9), technique=D(10))])
    assert d.outcome is Outcome.ADVANCE


def test_lsi_computed_not_rounded():
    """359.8 N / 400 N = 89.95: below 90, whatever a page shows."""
    hist = clean_stint(3, latest={"strength_lsi": None})
    d = run(3, hist, [Reading(date=day(0), strength_lsi=D("359.8") / D(400) * 100, strength_method="iso_90_90")])
    assert d.decided_by == "exit.min_lsi"
    assert reason(d, "exit.min_lsi").values["lsi"] == D("89.95")


# --- late warning signs ---------------------------------------------------------------------------------

def _late(phase, **fields):
    s = SessionInput(date=day(3), pain_during=1, soreness_24h=None, ref="41")
    return evaluate_late_warning(PROTOCOL, phase=phase, session=_with(s, **fields), today=TODAY)


@pytest.mark.parametrize("phase", range(7))
def test_late_soreness_7_regresses_to_p0_and_refers(phase):
    d = _late(phase, soreness_24h=7)
    assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (Outcome.REGRESS, 0, True, "rule.red_flag")
    assert [r.code for r in d.reasons] == ["rule.red_flag"]
    assert reason(d, "rule.red_flag").values["sessions"][0]["ref"] == "41"


@pytest.mark.parametrize("phase", range(7))
def test_late_soreness_5_regresses_one_phase(phase):
    d = _late(phase, soreness_24h=5)
    assert (d.outcome, d.to_phase, d.decided_by) == (Outcome.REGRESS, max(0, phase - 1), "rule.pain_or_soreness_5")
    assert d.refer is (phase == 6)  # a regression out of P6 (after clearance) refers
    assert [r.code for r in d.reasons] == ["rule.red_flag", "rule.pain_or_soreness_5"]


@pytest.mark.parametrize("soreness", [0, 3, 4, None])
def test_late_evidence_below_rule_2_changes_nothing(soreness):
    assert _late(3, soreness_24h=soreness) is None


def test_late_red_flag_correction():
    assert _late(2, red_flag=True).decided_by == "rule.red_flag"


def test_late_warning_refuses_a_phase_out_of_range():
    with pytest.raises(ValueError):
        _late(7, soreness_24h=7)
