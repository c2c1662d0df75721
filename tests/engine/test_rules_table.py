"""Rules 1-9, table-driven: every threshold at, just below and just above its value,
in every phase where the rule applies (PROTOCOL.md, "Decision rules")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from progression.engine import Context, Outcome, SessionInput

from .builders import (
    ENTRY,
    PHASES,
    PROTOCOL,
    SPEC,
    D,
    advance_target,
    clean_context,
    clean_kwargs,
    clean_stint,
    decide,
    reason,
    regress_target,
    session,
)

ADVANCE, HOLD, REGRESS = Outcome.ADVANCE, Outcome.HOLD, Outcome.REGRESS


def _replace(s: SessionInput, **kw) -> SessionInput:
    fields = {name: getattr(s, name) for name in SessionInput.__slots__}
    fields.update(kw)
    return SessionInput(**fields)


def _with(hist, index, **kw):
    hist = list(hist)
    hist[index] = _replace(hist[index], **kw)
    return hist


def _codes_in_order(decision):
    return [r.code for r in decision.reasons if r.kind == "rule"]


# --------------------------------------------------------------------------- #
# Baseline: the clean stint advances in every phase
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("phase", PHASES)
def test_clean_stint_advances(phase):
    d = decide(phase, clean_stint(phase))
    assert d.outcome is ADVANCE, [r.message for r in d.reasons]
    assert d.to_phase == advance_target(phase)
    assert not d.refer
    assert d.decided_by == "rule.exit_criteria"
    # every rule 1-10 checked, in order, then every exit criterion of the phase
    assert [r.number for r in d.reasons if r.kind == "rule"] == list(range(1, 11))
    assert all(r.status == "clear" for r in d.reasons if r.kind == "rule" and r.number < 10)
    crits = [r for r in d.reasons if r.kind == "criterion"]
    assert [r.code for r in crits] == ["exit." + c.code for c in PROTOCOL.phase(phase).exit]
    assert all(r.status in ("met", "not_applicable") for r in crits)


# --------------------------------------------------------------------------- #
# Rule 1: red flag
# --------------------------------------------------------------------------- #

RULE1 = []
for _p in PHASES:
    for _where in (0, -1):
        RULE1 += [
            (_p, _where, {"red_flag": True}, True),
            (_p, _where, {"pain_during": 6}, False),
            (_p, _where, {"pain_during": 7}, True),
            (_p, _where, {"pain_during": 8}, True),
            (_p, _where, {"soreness_24h": 6}, False),
            (_p, _where, {"soreness_24h": 7}, True),
            (_p, _where, {"soreness_24h": 8}, True),
        ]


@pytest.mark.parametrize("phase,where,change,fires", RULE1)
def test_rule1_red_flag(phase, where, change, fires):
    hist = _with(clean_stint(phase), where, **change)
    d = decide(phase, hist)
    r = reason(d, "rule.red_flag")
    assert r.number == 1
    if fires:
        assert r.status == "fired"
        assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (REGRESS, 0, True, "rule.red_flag")
        assert _codes_in_order(d) == ["rule.red_flag"]
        assert "refer" in r.message
    else:
        # 6 is not a red flag, but it is 5 or more: rule 2
        assert r.status == "clear"
        assert d.decided_by == "rule.pain_or_soreness_5"
        assert (d.outcome, d.to_phase) == (REGRESS, regress_target(phase))


def test_rule1_red_flag_with_soreness_missing_elsewhere():
    hist = [session(3, soreness_24h=None, red_flag=True), session(1, soreness_24h=None)]
    d = decide(2, hist)
    assert (d.outcome, d.to_phase, d.refer) == (REGRESS, 0, True)


# --------------------------------------------------------------------------- #
# Rule 2: pain or soreness >= 5, any session
# --------------------------------------------------------------------------- #

RULE2 = []
for _p in PHASES:
    for _where in (0, -1):
        for _field in ("pain_during", "soreness_24h"):
            RULE2 += [
                (_p, _where, _field, 4, False),
                (_p, _where, _field, 5, True),
                (_p, _where, _field, 6, True),
            ]


@pytest.mark.parametrize("phase,where,field,value,fires", RULE2)
def test_rule2_pain_or_soreness_5(phase, where, field, value, fires):
    hist = _with(clean_stint(phase), where, **{field: value})
    d = decide(phase, hist)
    r = reason(d, "rule.pain_or_soreness_5")
    assert r.number == 2
    if fires:
        assert r.status == "fired"
        assert d.outcome is REGRESS
        assert d.to_phase == regress_target(phase)
        assert d.refer is (phase == 6)  # regression out of P6 refers
        assert d.decided_by == "rule.pain_or_soreness_5"
        assert str(value) in r.message
    else:
        assert r.status == "clear"
        assert d.outcome is HOLD  # 4 is tolerated but never a basis for progression
        assert d.to_phase == phase


# --------------------------------------------------------------------------- #
# Rule 3: soreness >= 3 on two consecutive sessions
# --------------------------------------------------------------------------- #

RULE3 = []
for _p in PHASES:
    RULE3 += [
        (_p, [0, 3, 3], True),
        (_p, [0, 4, 4], True),
        (_p, [0, 3, 4], True),
        (_p, [3, 3, 0, 0], True),  # an early pair is never lost
        (_p, [0, 2, 3], False),
        (_p, [0, 3, 2], False),
        (_p, [3, 2, 3], False),
        (_p, [3, None, 3, 0], False),  # a session with no report breaks the pair
        (_p, [2, 2, 2], False),
    ]


@pytest.mark.parametrize("phase,soreness,fires", RULE3)
def test_rule3_soreness_consecutive(phase, soreness, fires):
    n = len(soreness)
    hist = clean_stint(phase, n=max(n, SPEC[phase]["n"]))
    offset = len(hist) - n
    for i, so in enumerate(soreness):
        hist = _with(hist, offset + i, soreness_24h=so)
    d = decide(phase, hist)
    r = reason(d, "rule.soreness_consecutive")
    assert r.number == 3
    if fires:
        assert r.status == "fired"
        assert (d.outcome, d.to_phase, d.refer) == (REGRESS, regress_target(phase), phase == 6)
        assert "two sessions in a row at 3 or more" in r.message
    else:
        assert r.status == "clear"
        assert d.outcome is not REGRESS


def test_rule3_message_names_both_sessions():
    hist = [session(3, soreness_24h=3), session(1, soreness_24h=3)]
    d = decide(1, hist)
    r = reason(d, "rule.soreness_consecutive")
    assert r.message.startswith(
        "Next-morning soreness 3 on 2026-03-17 and 3 on 2026-03-19: two sessions in a row"
    )


# --------------------------------------------------------------------------- #
# Rule 4: strength falling
# --------------------------------------------------------------------------- #

RULE4_BEST = []
for _p in PHASES:
    RULE4_BEST += [
        (_p, D(105), D("95"), True),  # 10 below the best earlier reading
        (_p, D(105), D("95.1"), False),  # 9.9
        (_p, D(105), D("94.9"), True),  # 10.1
        (_p, D(110), D(100), False),  # 10 down but not below 100
        (_p, D(110), D("99.9"), True),
        (_p, D("109.9"), D("99.9"), True),
    ]


@pytest.mark.parametrize("phase,earlier,later,fires", RULE4_BEST)
def test_rule4_drop_from_best(phase, earlier, later, fires):
    hist = clean_stint(phase, first={"strength_lsi": earlier}, latest={"strength_lsi": later})
    d = decide(phase, hist)
    r = reason(d, "rule.strength_falling")
    assert r.number == 4
    if fires:
        assert r.status == "fired"
        assert (d.outcome, d.to_phase, d.refer) == (REGRESS, regress_target(phase), phase == 6)
        assert [x.code for x in d.recommendations] == ["retest_strength"]
        assert r.values["findings"][0]["branch"] == "drop_from_best"
    else:
        assert r.status == "clear"
        assert d.outcome is ADVANCE


@pytest.mark.parametrize("phase", PHASES)
def test_rule4_slow_decline_against_highest_earlier(phase):
    n = max(4, SPEC[phase]["n"])
    hist = clean_stint(phase, n=n)
    for i, v in enumerate([D(100), D(105), D(98), D(95)]):
        hist = _with(hist, len(hist) - 4 + i, strength_lsi=v)
    d = decide(phase, hist)
    assert d.decided_by == "rule.strength_falling"
    f = reason(d, "rule.strength_falling").values["findings"][0]
    assert (f["best_earlier"], f["strength_lsi"], f["drop"]) == (D(105), D(95), D(10))


SAME_METHOD = [
    ("iso90", "iso90", True),
    ("iso90", "nordic", False),
    (None, "nordic", False),
    ("nordic", None, False),
    (None, None, True),
]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("m_earlier,m_later,fires", SAME_METHOD)
def test_rule4_compares_same_method_only(phase, m_earlier, m_later, fires):
    hist = clean_stint(
        phase,
        first={"strength_lsi": D(105), "strength_method": m_earlier},
        latest={"strength_lsi": D(95), "strength_method": m_later},
    )
    d = decide(phase, hist)
    assert (reason(d, "rule.strength_falling").status == "fired") is fires
    assert d.outcome is (REGRESS if fires else ADVANCE)


RULE4_ENTRY = []
for _p in (2, 3, 4, 5, 6):
    _e = ENTRY[_p]
    RULE4_ENTRY += [(_p, _e - 5, True), (_p, _e - D("4.9"), False), (_p, _e - D("5.1"), True)]


@pytest.mark.parametrize("phase,lsi,fires", RULE4_ENTRY)
def test_rule4_below_entry_level(phase, lsi, fires):
    hist = clean_stint(phase, latest={"strength_lsi": lsi})
    d = decide(phase, hist)
    r = reason(d, "rule.strength_falling")
    if fires:
        assert r.status == "fired"
        assert r.values["findings"][0]["branch"] == "below_entry"
        assert r.values["entry_level"] == ENTRY[phase]
        assert (d.outcome, d.to_phase, d.refer) == (REGRESS, regress_target(phase), phase == 6)
        assert [x.code for x in d.recommendations] == ["retest_strength"]
    else:
        # a smaller shortfall is within measurement error: it only fails the exit criterion
        assert r.status == "clear"
        assert d.outcome is HOLD
        assert reason(d, "exit.min_lsi").status == "not_met"


@pytest.mark.parametrize("phase", [0, 1])
def test_rule4_no_entry_level_in_p0_p1(phase):
    hist = clean_stint(phase, latest={"strength_lsi": D(40)})
    d = decide(phase, hist)
    assert reason(d, "rule.strength_falling").status == "clear"
    assert reason(d, "rule.strength_falling").values["entry_level"] is None
    assert d.outcome is (ADVANCE if phase == 0 else HOLD)


# --------------------------------------------------------------------------- #
# Rule 5: missing data
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("phase", PHASES)
def test_rule5_latest_soreness_missing_holds(phase):
    hist = _with(clean_stint(phase), -1, soreness_24h=None)
    d = decide(phase, hist)
    assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "rule.missing_data")
    assert reason(d, "rule.missing_data").number == 5


LSI_WINDOW = []
for _p in range(1, 7):
    LSI_WINDOW += [(_p, 0, True), (_p, 6, True), (_p, 7, True), (_p, 8, False), (_p, 9, False)]


@pytest.mark.parametrize("phase,age,counts", LSI_WINDOW)
def test_rule5_lsi_window(phase, age, counts):
    """The LSI counts if measured 0-7 days before the decision (7 counts, 8 does not)."""
    n = SPEC[phase]["n"]
    hist = []
    for i in range(n):
        kw = clean_kwargs(phase, i == n - 1)
        kw.pop("strength_lsi", None)
        if i == 0:
            kw["strength_lsi"] = D(100)
        hist.append(session(max(age - i, 0), **kw))
    d = decide(phase, hist)
    r = reason(d, "rule.missing_data")
    if counts:
        assert r.status == "clear", r.message
        assert d.outcome is ADVANCE
        assert reason(d, "exit.min_lsi").status == "met"
    else:
        assert r.status == "fired"
        assert (d.outcome, d.decided_by) == (HOLD, "rule.missing_data")
        assert "within 7 days" in r.message


def test_rule5_p0_needs_no_lsi():
    d = decide(0, clean_stint(0))
    assert reason(d, "rule.missing_data").status == "clear"
    assert d.outcome is ADVANCE


@pytest.mark.parametrize("phase", range(1, 7))
def test_rule5_no_lsi_at_all_holds(phase):
    hist = _with(clean_stint(phase), -1, strength_lsi=None)
    d = decide(phase, hist)
    assert (d.outcome, d.decided_by) == (HOLD, "rule.missing_data")


def test_rule5_empty_stint_holds():
    d = decide(1, [])
    assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, 1, "rule.missing_data")


# --------------------------------------------------------------------------- #
# Rule 6: pain 3-4 or soreness 3-4 on the latest session
# --------------------------------------------------------------------------- #

RULE6 = []
for _p in PHASES:
    for _field in ("pain_during", "soreness_24h"):
        RULE6 += [
            (_p, _field, 2, "clear"),
            (_p, _field, 3, "fired"),
            (_p, _field, 4, "fired"),
            (_p, _field, 5, "rule2"),
        ]


@pytest.mark.parametrize("phase,field,value,expect", RULE6)
def test_rule6_pain_or_soreness_3_4(phase, field, value, expect):
    hist = _with(clean_stint(phase), -1, **{field: value})
    d = decide(phase, hist)
    if expect == "rule2":
        assert d.decided_by == "rule.pain_or_soreness_5"
        return
    r = reason(d, "rule.pain_or_soreness_3_4")
    assert r.number == 6
    assert r.status == expect
    if expect == "fired":
        assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "rule.pain_or_soreness_3_4")
    else:
        limit = SPEC[phase]["pain" if field == "pain_during" else "sore"]
        assert d.outcome is (ADVANCE if value <= limit else HOLD)


# --------------------------------------------------------------------------- #
# Rule 7: load spike (ACWR)
# --------------------------------------------------------------------------- #

RULE7 = []
for _p in PHASES:
    RULE7 += [
        (_p, None, "clear", False),
        (_p, D("1.49"), "clear", False),
        (_p, D("1.5"), "fired", False),
        (_p, D("1.51"), "fired", False),
        (_p, D("1.99"), "fired", False),
        (_p, D("2.0"), "fired", True),
        (_p, D("2.01"), "fired", True),
    ]


@pytest.mark.parametrize("phase,acwr,status,reduce", RULE7)
def test_rule7_load_spike(phase, acwr, status, reduce):
    d = decide(phase, clean_stint(phase), clean_context(phase, acwr=acwr))
    r = reason(d, "rule.load_spike")
    assert r.number == 7
    assert r.status == status
    if status == "fired":
        assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "rule.load_spike")
        assert ("reduce_volume" in [x.code for x in d.recommendations]) is reduce
    else:
        assert d.outcome is ADVANCE
        assert d.recommendations == () or all(x.code == "clinician_sign_off" for x in d.recommendations)
    if acwr is None:
        assert "not computed" in r.message


def test_rule7_never_regresses():
    d = decide(3, clean_stint(3), Context(acwr=D(5)))
    assert d.outcome is HOLD


# --------------------------------------------------------------------------- #
# Rule 8: technique breaks down under fatigue
# --------------------------------------------------------------------------- #

RULE8 = []
for _p in PHASES:
    RULE8 += [
        (_p, D("83.3"), D("58.3"), True),  # exactly 25 in decimal arithmetic
        (_p, 83.3, 58.3, True),  # floats are converted with Decimal(str(x))
        (_p, D("83.2"), D("58.3"), False),  # 24.9
        (_p, D("83.4"), D("58.3"), True),  # 25.1
        (_p, D(100), None, False),  # needs both
        (_p, None, D(10), False),
    ]


@pytest.mark.parametrize("phase,fresh,fatigued,fires", RULE8)
def test_rule8_technique_fatigue(phase, fresh, fatigued, fires):
    hist = clean_stint(phase, latest={"technique_fresh": fresh, "technique_fatigued": fatigued})
    d = decide(phase, hist)
    r = reason(d, "rule.technique_fatigue")
    assert r.number == 8
    if fires:
        assert r.status == "fired"
        assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "rule.technique_fatigue")
        assert "cap_reps" in [x.code for x in d.recommendations]
    else:
        assert r.status == "clear"
        assert d.outcome is ADVANCE


@pytest.mark.parametrize("fresh,fatigued", [(33.3, 8.3), (35.8, 10.8), (83.3, 58.3)])
def test_rule8_float_inputs_compare_in_decimal(fresh, fatigued):
    """In binary floating point some of these differences fall short of 25; in decimal they are 25."""
    d = decide(2, clean_stint(2, latest={"technique_fresh": fresh, "technique_fatigued": fatigued}))
    assert reason(d, "rule.technique_fatigue").status == "fired"
    assert reason(d, "rule.technique_fatigue").values["drop"] == Decimal(25)


def test_rule8_decimal_edge_is_exactly_25():
    assert 33.3 - 8.3 < 25  # the float trap the engine must not fall into
    d = decide(1, clean_stint(1, latest={"technique_fresh": 83.3, "technique_fatigued": 58.3}))
    r = reason(d, "rule.technique_fatigue")
    assert r.values["drop"] == Decimal(25)
    assert "a drop of 25 points" in r.message


# --------------------------------------------------------------------------- #
# Rule 9: apprehension from P4 on
# --------------------------------------------------------------------------- #

RULE9 = []
for _p in PHASES:
    applies = _p >= 4
    RULE9 += [
        (_p, D(0), False),
        (_p, D("0.1"), applies),
        (_p, D(1), applies),
        (_p, D(50), applies),
    ]


@pytest.mark.parametrize("phase,apprehension,fires", RULE9)
def test_rule9_apprehension(phase, apprehension, fires):
    hist = clean_stint(phase, latest={"apprehension": apprehension})
    d = decide(phase, hist)
    r = reason(d, "rule.apprehension")
    assert r.number == 9
    if fires:
        assert r.status == "fired"
        assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "rule.apprehension")
    else:
        assert r.status == "clear"
        assert d.outcome is ADVANCE


# --------------------------------------------------------------------------- #
# Order, regression floor, referral, review gate
# --------------------------------------------------------------------------- #


def test_first_matching_rule_decides():
    # pain 5 (rule 2), soreness 3+3 (rule 3), missing soreness... rule 1 beats all
    hist = [session(5, pain_during=5, soreness_24h=3), session(3, soreness_24h=3), session(1, soreness_24h=7)]
    d = decide(2, hist)
    assert d.decided_by == "rule.red_flag"
    assert [r.code for r in d.reasons] == ["rule.red_flag"]
    hist = hist[:2]
    d = decide(2, hist)
    assert d.decided_by == "rule.pain_or_soreness_5"
    assert [r.status for r in d.reasons] == ["clear", "fired"]


@pytest.mark.parametrize(
    "change",
    [
        {"pain_during": 5},
        {"soreness_24h": 6},
        {"red_flag": True},
    ],
)
def test_p0_regress_stays_p0(change):
    hist = _with(clean_stint(0), -1, **change)
    d = decide(0, hist)
    assert (d.outcome, d.to_phase, d.from_phase) == (REGRESS, 0, 0)


def test_p0_soreness_pair_and_strength_drop_stay_p0():
    d = decide(0, [session(3, soreness_24h=3), session(1, soreness_24h=3)])
    assert (d.outcome, d.to_phase) == (REGRESS, 0)
    d = decide(0, [session(3, strength_lsi=D(90)), session(1, strength_lsi=D(70))])
    assert (d.outcome, d.to_phase, d.decided_by) == (REGRESS, 0, "rule.strength_falling")
    assert "stays in Phase 0" in reason(d, "rule.strength_falling").message


@pytest.mark.parametrize(
    "change,code",
    [
        ({"pain_during": 5}, "rule.pain_or_soreness_5"),
        ({"strength_lsi": D(80)}, "rule.strength_falling"),
        ({"red_flag": True}, "rule.red_flag"),
    ],
)
def test_p6_regress_refers(change, code):
    hist = _with(clean_stint(6), -1, **change)
    d = decide(6, hist)
    assert d.outcome is REGRESS
    assert d.refer is True
    assert d.decided_by == code


def test_p6_soreness_pair_refers():
    hist = clean_stint(6)
    hist = _with(_with(hist, -1, soreness_24h=3), -2, soreness_24h=3)
    d = decide(6, hist)
    assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (REGRESS, 5, True, "rule.soreness_consecutive")


@pytest.mark.parametrize("phase", range(0, 6))
def test_regressions_below_p6_do_not_refer(phase):
    hist = _with(clean_stint(phase), -1, pain_during=5)
    assert decide(phase, hist).refer is False


@pytest.mark.parametrize("phase", PHASES)
def test_review_pending_turns_advance_into_hold(phase):
    d = decide(phase, clean_stint(phase), clean_context(phase, review_pending=True))
    assert (d.outcome, d.to_phase, d.decided_by) == (HOLD, phase, "review_pending")
    gate = d.reasons[-1]
    assert (gate.code, gate.kind, gate.status, gate.number) == ("review_pending", "gate", "fired", None)
    assert reason(d, "rule.exit_criteria").status == "fired"
    assert d.recommendations == ()


def test_review_pending_keeps_regressions_and_holds():
    hist = _with(clean_stint(3), -1, pain_during=5)
    d = decide(3, hist, Context(review_pending=True))
    assert (d.outcome, d.to_phase) == (REGRESS, 2)
    assert reason(d, "review_pending") is None
    hist = _with(clean_stint(3), -1, pain_during=3)
    d = decide(3, hist, Context(review_pending=True))
    assert (d.outcome, d.decided_by) == (HOLD, "rule.pain_or_soreness_3_4")
    assert reason(d, "review_pending") is None


def test_reason_values_echo_session_ref():
    hist = [session(3, ref="s-1"), session(1, pain_during=5, ref="s-2")]
    d = decide(1, hist)
    r = reason(d, "rule.pain_or_soreness_5")
    assert r.values["sessions"][0]["ref"] == "s-2"
    assert r.to_dict()["values"]["sessions"][0] == {
        "date": "2026-03-19",
        "ref": "s-2",
        "pain_during": 5,
        "soreness_24h": 0,
    }
