"""Rule 10, table-driven: every exit criterion of every phase at, just below and
just above its threshold (PROTOCOL.md phase table and "How each criterion reads
the stint")."""

from __future__ import annotations

import json

import pytest

from progression.engine import Context, Outcome

from .builders import (
    PHASES,
    PROTOCOL,
    SPEC,
    D,
    advance_target,
    clean_stint,
    decide,
    reason,
    session,
)

ADVANCE, HOLD = Outcome.ADVANCE, Outcome.HOLD


def _expect(d, advance: bool, code: str | None = None, status: str | None = None):
    if advance:
        assert d.outcome is ADVANCE, [r.message for r in d.reasons if r.status in ("fired", "not_met")]
    else:
        assert d.outcome is HOLD, d.decided_by
        assert d.decided_by.startswith("exit."), d.decided_by
    if code is not None:
        r = reason(d, code)
        assert r is not None, code
        assert r.kind == "criterion" and r.number is None
        assert r.status == (status or ("met" if advance else "not_met")), r.message
        if not advance:
            assert code in reason(d, "rule.exit_criteria").values["not_met"]
            assert r.title in reason(d, "rule.exit_criteria").message


# --------------------------------------------------------------------------- #
# The phase table, as data
# --------------------------------------------------------------------------- #

EXPECTED_EXIT = {
    0: {"min_sessions": 2, "max_pain": 2, "max_soreness": 2},
    1: {"min_sessions": 2, "max_pain": 2, "max_soreness": 2, "min_lsi": 80, "min_technique": 75},
    2: {"min_sessions": 2, "max_pain": 2, "max_soreness": 2, "min_lsi": 85, "min_technique": 75},
    3: {
        "min_sessions": 2,
        "max_pain": 1,
        "max_soreness": 2,
        "min_lsi": 90,
        "min_technique": 75,
        "min_peak_speed": 85,
    },
    4: {
        "min_sessions": 2,
        "min_efforts_95": 3,
        "max_pain": 0,
        "max_soreness": 1,
        "min_lsi": 90,
        "min_technique": 58,
        "max_apprehension": 0,
    },
    5: {
        "min_sessions": 2,
        "min_full_sessions": 2,
        "max_pain": 0,
        "max_soreness": 1,
        "min_lsi": 90,
        "min_technique": 58,
        "min_peak_speed": 95,
        "max_apprehension": 0,
        "min_load_pct": 90,
    },
    6: {
        "min_sessions": 4,
        "min_days_since_rts": 28,
        "max_pain": 0,
        "max_soreness": 1,
        "min_lsi": 90,
        "min_peak_speed": 95,
    },
}


@pytest.mark.parametrize("phase", PHASES)
def test_protocol_exit_criteria_match_the_phase_table(phase):
    got = {c.code: c.value for c in PROTOCOL.phase(phase).exit}
    assert got == {k: D(v) for k, v in EXPECTED_EXIT[phase].items()}
    ph = PROTOCOL.phase(phase)
    if phase == 3:
        assert ph.criterion("min_peak_speed").scope == "latest"
    if phase in (5, 6):
        assert ph.criterion("min_peak_speed").scope == "best"
    if phase == 4:
        assert ph.criterion("max_apprehension").required is False
    if phase == 5:
        assert ph.criterion("max_apprehension").required is True
    for c in ph.exit:
        assert c.source  # every criterion carries its citation


# --------------------------------------------------------------------------- #
# Session count
# --------------------------------------------------------------------------- #

COUNT = []
for _p in PHASES:
    _n = SPEC[_p]["n"]
    COUNT += [(_p, _n - 1, False), (_p, _n, True), (_p, _n + 1, True)]


@pytest.mark.parametrize("phase,n,advance", COUNT)
def test_min_sessions(phase, n, advance):
    d = decide(phase, clean_stint(phase, n=n))
    _expect(d, advance, "exit.min_sessions")


# --------------------------------------------------------------------------- #
# Pain and soreness limits over the last n sessions
# --------------------------------------------------------------------------- #

LIMITS = []
for _p in PHASES:
    LIMITS += [
        (_p, "pain_during", "exit.max_pain", SPEC[_p]["pain"]),
        (_p, "soreness_24h", "exit.max_soreness", SPEC[_p]["sore"]),
    ]


LIMITS_DELTA = [(*row, delta) for row in LIMITS for delta in (-1, 0, 1) if row[3] + delta >= 0]


@pytest.mark.parametrize("phase,field,code,limit,delta", LIMITS_DELTA)
def test_limit_on_an_earlier_session_of_the_last_n(phase, field, code, limit, delta):
    value = limit + delta
    d = decide(phase, clean_stint(phase, first={field: value}))
    _expect(d, delta <= 0, code)


@pytest.mark.parametrize("phase,field,code,limit", LIMITS)
def test_limit_outside_the_last_n_does_not_count(phase, field, code, limit):
    n = SPEC[phase]["n"]
    value = min(limit + 2, 4)  # above the limit, below rule 2's 5
    d = decide(phase, clean_stint(phase, n=n + 1, first={field: value}))
    _expect(d, True, code)


@pytest.mark.parametrize("phase", PHASES)
def test_missing_soreness_in_the_last_n_is_not_clean(phase):
    d = decide(phase, clean_stint(phase, first={"soreness_24h": None}))
    _expect(d, False, "exit.max_soreness")
    assert "not reported" in reason(d, "exit.max_soreness").message


@pytest.mark.parametrize("phase", (3, 4, 5, 6))
def test_pain_limit_on_latest_session(phase):
    """Pain above the limit but below 3 (rule 6) on the latest session: held by the exit criterion."""
    d = decide(phase, clean_stint(phase, latest={"pain_during": SPEC[phase]["pain"] + 1}))
    _expect(d, False, "exit.max_pain")


# --------------------------------------------------------------------------- #
# Strength LSI and technique
# --------------------------------------------------------------------------- #

LSI = []
for _p in range(1, 7):
    _t = SPEC[_p]["lsi"]
    LSI += [(_p, _t - D("0.1"), False), (_p, _t, True), (_p, _t + D("0.1"), True)]


@pytest.mark.parametrize("phase,lsi,advance", LSI)
def test_min_lsi(phase, lsi, advance):
    d = decide(phase, clean_stint(phase, latest={"strength_lsi": lsi}))
    _expect(d, advance, "exit.min_lsi")


@pytest.mark.parametrize("phase", range(1, 7))
def test_min_lsi_reads_the_most_recent_reading(phase):
    t = SPEC[phase]["lsi"]
    # the most recent reading within 7 days counts, even if an earlier one was higher
    d = decide(
        phase, clean_stint(phase, first={"strength_lsi": t + 3}, latest={"strength_lsi": t - D("0.5")})
    )
    _expect(d, False, "exit.min_lsi")
    d = decide(
        phase, clean_stint(phase, first={"strength_lsi": t - D("0.5")}, latest={"strength_lsi": t + 1})
    )
    _expect(d, True, "exit.min_lsi")


TECH = []
for _p in range(1, 6):
    _t = SPEC[_p]["tech"]
    TECH += [(_p, _t - D("0.1"), False), (_p, _t, True), (_p, _t + D("0.1"), True)]


@pytest.mark.parametrize("phase,technique,advance", TECH)
def test_min_technique(phase, technique, advance):
    d = decide(phase, clean_stint(phase, latest={"technique": technique}))
    _expect(d, advance, "exit.min_technique")


def test_smas_five_errors_passes_p4():
    d = decide(4, clean_stint(4, latest={"technique": D("58.3")}))  # 5 errors of 12
    _expect(d, True, "exit.min_technique")
    d = decide(4, clean_stint(4, latest={"technique": D("50")}))  # 6 errors
    _expect(d, False, "exit.min_technique")


@pytest.mark.parametrize("phase", range(1, 6))
def test_technique_fresh_does_not_stand_in(phase):
    d = decide(phase, clean_stint(phase, latest={"technique": None, "technique_fresh": D(100)}))
    _expect(d, False, "exit.min_technique")


@pytest.mark.parametrize("phase", range(1, 6))
def test_technique_is_the_most_recent_in_the_stint(phase):
    t = SPEC[phase]["tech"]
    d = decide(phase, clean_stint(phase, first={"technique": t - 1}, latest={"technique": None}))
    _expect(d, False, "exit.min_technique")
    d = decide(phase, clean_stint(phase, first={"technique": t}, latest={"technique": None}))
    _expect(d, True, "exit.min_technique")


@pytest.mark.parametrize("phase", [0, 6])
def test_no_technique_criterion(phase):
    d = decide(phase, clean_stint(phase, latest={"technique": D(0)}))
    assert reason(d, "exit.min_technique") is None
    assert d.outcome is ADVANCE


# --------------------------------------------------------------------------- #
# Peak speed
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "peak,advance", [(D("84.9"), False), (D(85), True), (D("85.1"), True), (None, False)]
)
def test_p3_peak_speed_is_the_latest_sessions(peak, advance):
    d = decide(3, clean_stint(3, first={"peak_speed_pct": D(100)}, latest={"peak_speed_pct": peak}))
    _expect(d, advance, "exit.min_peak_speed")


PEAK_BEST = []
for _p in (5, 6):
    PEAK_BEST += [(_p, D("94.9"), False), (_p, D(95), True), (_p, D("95.1"), True)]


@pytest.mark.parametrize("phase,best,advance", PEAK_BEST)
def test_p5_p6_peak_speed_is_the_best_in_the_stint(phase, best, advance):
    d = decide(phase, clean_stint(phase, first={"peak_speed_pct": best}, latest={"peak_speed_pct": D(80)}))
    _expect(d, advance, "exit.min_peak_speed")


@pytest.mark.parametrize("phase", (5, 6))
def test_p5_p6_no_peak_speed(phase):
    d = decide(phase, clean_stint(phase, latest={"peak_speed_pct": None}))
    _expect(d, False, "exit.min_peak_speed")


# --------------------------------------------------------------------------- #
# P4 efforts, P5 full sessions
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "first,latest,advance",
    [(None, 2, False), (1, 2, True), (None, 3, True), (2, 2, True), (None, None, False), (0, 0, False)],
)
def test_p4_efforts_counted_over_the_stint(first, latest, advance):
    d = decide(4, clean_stint(4, first={"efforts_95": first}, latest={"efforts_95": latest}))
    _expect(d, advance, "exit.min_efforts_95")


@pytest.mark.parametrize(
    "fulls,advance", [((True, False), False), ((True, True), True), ((False, False), False)]
)
def test_p5_full_sessions(fulls, advance):
    d = decide(5, clean_stint(5, first={"full_session": fulls[0]}, latest={"full_session": fulls[1]}))
    _expect(d, advance, "exit.min_full_sessions")


def test_p5_three_full_sessions():
    d = decide(5, clean_stint(5, n=3))
    _expect(d, True, "exit.min_full_sessions")
    assert reason(d, "exit.min_full_sessions").values["full_sessions"] == 3


# --------------------------------------------------------------------------- #
# Apprehension at the P4 and P5 exits
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "first,latest,advance",
    [
        (None, None, True),  # none recorded: fine in P4
        (D(10), None, False),  # the most recent recorded is 10
        (D(10), D(0), True),
        (D(0), None, True),
    ],
)
def test_p4_apprehension_if_recorded_must_be_0(first, latest, advance):
    d = decide(4, clean_stint(4, first={"apprehension": first}, latest={"apprehension": latest}))
    _expect(d, advance, "exit.max_apprehension")


@pytest.mark.parametrize(
    "first,latest,advance",
    [
        (None, None, False),  # the H-test is part of clearance: it must be recorded
        (D(0), None, True),
        (None, D(0), True),
        (D(10), D(0), True),
        (D(0), D("0.1"), False),  # rule 9 holds first
    ],
)
def test_p5_apprehension_must_exist_and_be_0(first, latest, advance):
    d = decide(5, clean_stint(5, first={"apprehension": first}, latest={"apprehension": latest}))
    if latest is not None and latest > 0:
        assert d.decided_by == "rule.apprehension"
        return
    _expect(d, advance, "exit.max_apprehension")


# --------------------------------------------------------------------------- #
# P5 load against the baseline, P6 days since clearance
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "load_pct,advance,status",
    [
        (None, True, "not_applicable"),
        (D("89.9"), False, "not_met"),
        (D(90), True, "met"),
        (D("90.1"), True, "met"),
    ],
)
def test_p5_load_pct(load_pct, advance, status):
    d = decide(5, clean_stint(5), Context(load_pct=load_pct))
    _expect(d, advance, "exit.min_load_pct", status)


@pytest.mark.parametrize("days,advance", [(None, False), (27, False), (28, True), (29, True), (0, False)])
def test_p6_days_since_rts(days, advance):
    d = decide(6, clean_stint(6), Context(days_since_rts=days))
    _expect(d, advance, "exit.min_days_since_rts")


# --------------------------------------------------------------------------- #
# Advancing: to the next phase, clearance sign-off, discharge
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("phase", PHASES)
def test_advance_goes_one_phase_forward(phase):
    d = decide(phase, clean_stint(phase))
    assert d.to_phase == advance_target(phase)
    assert d.from_phase == phase


def test_p6_advance_discharges():
    d = decide(6, clean_stint(6))
    assert (d.outcome, d.to_phase, d.refer) == (ADVANCE, None, False)
    assert d.discharged
    assert "discharges the plan" in reason(d, "rule.exit_criteria").message
    assert [r.code for r in d.recommendations] == ["clinician_sign_off"]
    assert d.to_dict()["to_phase"] is None


def test_p5_advance_is_clearance_and_needs_sign_off():
    d = decide(5, clean_stint(5))
    assert (d.outcome, d.to_phase) == (ADVANCE, 6)
    [rec] = d.recommendations
    assert rec.code == "clinician_sign_off"
    assert "return-to-sport clearance" in rec.message


@pytest.mark.parametrize("phase", range(0, 5))
def test_no_sign_off_before_p5(phase):
    assert decide(phase, clean_stint(phase)).recommendations == ()


def test_hold_names_every_unmet_criterion():
    hist = [session(3, soreness_24h=None), session(1, technique=D(60), strength_lsi=D(88))]
    d = decide(3, hist)
    r10 = reason(d, "rule.exit_criteria")
    assert d.outcome is HOLD
    assert set(r10.values["not_met"]) == {
        "exit.max_soreness",
        "exit.min_lsi",
        "exit.min_technique",
        "exit.min_peak_speed",
    }
    assert d.decided_by == "exit.max_soreness"  # the first criterion not met
    assert "4 of 6 exit criteria not met" in r10.message


@pytest.mark.parametrize("phase", PHASES)
def test_decision_to_dict_is_json(phase):
    d = decide(phase, clean_stint(phase, latest={"technique_fresh": 90.5, "technique_fatigued": D("80.25")}))
    out = d.to_dict()
    assert set(out) == {
        "outcome",
        "from_phase",
        "to_phase",
        "refer",
        "decided_by",
        "reasons",
        "recommendations",
        "protocol",
        "version",
    }
    assert (out["protocol"], out["version"]) == ("hamstring-rts", 1)
    text = json.dumps(out)
    back = json.loads(text)
    for r in back["reasons"]:
        assert set(r) == {"code", "kind", "number", "title", "status", "message", "values", "source"}
        assert r["source"]
        assert r["message"].endswith(".")
    r8 = next(r for r in back["reasons"] if r["code"] == "rule.technique_fatigue")
    assert r8["values"]["technique_fresh"] == 90.5 and r8["values"]["drop"] == 10.25
    assert r8["values"]["drop_at_least"] == 25 and isinstance(r8["values"]["drop_at_least"], int)
