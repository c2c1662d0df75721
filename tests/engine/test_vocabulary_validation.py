"""The data of a protocol of any shape: the clearance flag, the phase count, a clinic's own criteria and rules.
Every error names its path."""

from __future__ import annotations

import copy

import pytest

from progression.engine import (
    LATE_WARNING_RULES,
    ProtocolError,
    default_protocol_data,
    load_default_protocol,
    protocol_from_dict,
)

RPE = {"title": "Session RPE", "source": ["practice_default"],
       "check": {"kind": "recent_sessions", "field": "rpe", "compare": "max"}}


def _with(mutate):
    data = default_protocol_data()
    mutate(data)
    return data


def _own_criterion(data, check=None, value=6, phase=1, code="max_rpe"):
    entry = copy.deepcopy(RPE)
    if check is not None:
        entry["check"] = check
    data["criteria"][code] = entry
    data["phases"][phase]["exit"][code] = value


def _phases(data, n):
    data["phases"] = [copy.deepcopy(data["phases"][min(i, 6)]) for i in range(n)]
    for i, p in enumerate(data["phases"]):
        p["number"] = i
        p.pop("clearance", None)
    next(r for r in data["rules"] if r["code"] == "apprehension")["from_phase"] = min(4, n - 1)


def test_the_default_protocols_shape():
    p = load_default_protocol()
    assert (p.clearance_phase, p.last_phase, p.sign_off_phases) == (5, 6, (5, 6))
    assert [ph.is_clearance for ph in p.phases] == [False] * 5 + [True, False]
    assert [ph.after_clearance for ph in p.phases] == [False] * 6 + [True]
    assert tuple(r.code for r in p.late_warning_rules) == LATE_WARNING_RULES
    assert [r.kind for r in p.rules] == ["warning_sign", "any_session", "consecutive", "drop", "missing_data",
                                         "latest_band", "context_level", "difference", "latest_above",
                                         "exit_criteria"]


@pytest.mark.parametrize("n,clearance", [(1, None), (2, 0), (5, 3), (8, 6), (20, 18)])
def test_a_definition_without_the_clearance_key_reads_the_phase_before_the_last(n, clearance):
    p = protocol_from_dict(_with(lambda d: _phases(d, n)))
    assert (len(p.phases), p.clearance_phase) == (n, clearance)
    assert p.phases[-1].is_last and p.after_clearance(n - 1) is (n >= 2)


def test_the_clearance_is_the_phase_the_data_marks_or_none():
    def mark(d, *flags):
        for i, ph in enumerate(d["phases"]):
            ph["clearance"] = flags[i] if i < len(flags) else False

    assert protocol_from_dict(_with(lambda d: mark(d, False, False, True))).clearance_phase == 2
    assert protocol_from_dict(_with(lambda d: d["phases"][5].pop("clearance"))).clearance_phase == 5  # the old shape
    p = protocol_from_dict(_with(lambda d: mark(d)))
    assert p.clearance_phase is None and not any(ph.after_clearance for ph in p.phases)


BAD = [
    (lambda d: d["phases"][6].update(clearance=True), "phases[6].clearance: only one phase is the clearance"),
    (lambda d: d["phases"][5].update(clearance="yes"), "phases[5].clearance: must be true or false"),
    (lambda d: _phases(d, 21), "phases: must have at most 20 phases, got 21"),
    (lambda d: d["phases"][1]["exit"].update(max_rpe=6), "phases[1].exit.max_rpe: unknown criterion code"),
    (lambda d: d["criteria"].update(max_rpe={"title": "x", "source": ["practice_default"]}),
     "criteria.max_rpe: unknown criterion code"),
    (lambda d: _own_criterion(d, code="Max RPE"), "criteria.Max RPE: unknown criterion code"),
    (lambda d: _own_criterion(d, {"kind": "threshold", "field": "rpe"}), "criteria.max_rpe.check.kind: must be"),
    (lambda d: _own_criterion(d, {"kind": "recent_sessions", "field": "rpm"}),
     "criteria.max_rpe.check.field: must be one of pain_during"),
    (lambda d: _own_criterion(d, {"kind": "recent_sessions", "field": "red_flag"}),
     "criteria.max_rpe.check.field: must be one of"),
    (lambda d: _own_criterion(d, {"kind": "recent_sessions", "field": "rpe", "compare": "less"}),
     'criteria.max_rpe.check.compare: must be "min" or "max"'),
    (lambda d: _own_criterion(d, {"kind": "reading", "field": "rpe", "scope": "latest", "window_days": 7}),
     'criteria.max_rpe.check.window_days: is only for scope "most_recent"'),
    (lambda d: _own_criterion(d, {"kind": "stint_count", "field": "full_session", "at_least": 1}),
     "criteria.max_rpe.check.at_least: needs a numeric field"),
    (lambda d: _own_criterion(d, {"kind": "context_value", "field": "rpe"}),
     "criteria.max_rpe.check.field: must be one of acwr, load_pct, days_since_rts"),
    (lambda d: _own_criterion(d, {"kind": "recent_sessions", "field": "rpe", "sessions": 0}),
     "criteria.max_rpe.check.sessions: must be 1 or more"),
    (lambda d: _own_criterion(d, value=11), "phases[1].exit.max_rpe: must be from 0 to 10, got 11"),
    (lambda d: _own_criterion(d, value={"value": 5, "scope": "best"}), "phases[1].exit.max_rpe.scope: unknown key"),
    (lambda d: _own_criterion(d, {"kind": "stint_count"}, value=1.5), "phases[1].exit.max_rpe: must be an integer"),
    (lambda d: d["phases"][2]["exit"].update(min_lsi={"value": 85, "scope": "best"}),
     "phases[2].exit.min_lsi.scope: unknown key"),
    (lambda d: d["rules"].insert(2, {**copy.deepcopy(d["rules"][1]), "code": "pain_6", "number": 11}),
     "rules[2].code: unknown rule code"),
    (lambda d: d["rules"].insert(2, {**copy.deepcopy(d["rules"][1]), "code": "pain_6", "number": 11,
                                     "check": "exit_criteria"}), "rules[2].check: must be one of"),
    (lambda d: d["rules"][1].update(check="any_session"), "rules[1].check: unknown key"),
    (lambda d: d["rules"][2].update(late_warning=True), "rules[2].late_warning: only rules of kind"),
    (lambda d: d["rules"][0].update(late_warning="no"), "rules[0].late_warning: must be true or false"),
]


@pytest.mark.parametrize("mutate,message", BAD)
def test_errors_name_the_path(mutate, message):
    with pytest.raises(ProtocolError) as e:
        protocol_from_dict(_with(mutate))
    assert str(e.value).startswith(message), str(e.value)


def test_a_clinics_own_rule_and_the_late_warning_flag():
    def own(d):
        rule = {**copy.deepcopy(d["rules"][1]), "code": "pain_or_soreness_6", "check": "any_session",
                "pain_at_least": 6, "soreness_at_least": 6, "regress_phases": 2}
        d["rules"].insert(1, rule)
        for i, r in enumerate(d["rules"], start=1):
            r["number"] = i
        d["rules"][2]["late_warning"] = False

    p = protocol_from_dict(_with(own))
    assert p.rule("pain_or_soreness_6").kind == "any_session"
    assert [r.code for r in p.late_warning_rules] == ["red_flag", "pain_or_soreness_6"]


def test_a_clinics_own_criterion_takes_its_options_per_phase():
    def own(d):
        _own_criterion(d, {"kind": "reading", "field": "strength_lsi", "scope": "best"}, code="min_best_lsi",
                       value={"value": 95, "scope": "most_recent", "window_days": 3, "required": False})

    c = protocol_from_dict(_with(own)).phase(1).criterion("min_best_lsi")
    assert (c.kind, c.scope, c.required, c.value) == ("reading", "most_recent", False, 95)
    assert c.check.window == 3
