"""parse_scenario_document: every class of error names the scenario and the field."""

from __future__ import annotations

import copy
import json

import pytest

from progression.engine import ScenarioError, parse_scenario_document
from progression.engine.scenarios import ScenarioDocument

BASE = {
    "protocol": "hamstring-rts",
    "scenarios": [
        {
            "id": "A01",
            "phase": 1,
            "today": "2026-03-05",
            "context": {},
            "history": [
                {
                    "date": "2026-03-02",
                    "pain_during": 1,
                    "soreness_24h": 1,
                    "strength_lsi": 78,
                    "technique": 70,
                },
                {
                    "date": "2026-03-04",
                    "pain_during": 1,
                    "soreness_24h": 1,
                    "strength_lsi": 82.5,
                    "technique": 80,
                },
            ],
            "expected": {"outcome": "advance", "to_phase": 2, "refer": False},
            "note": "ok",
        },
        {
            "id": "A03",
            "phase": 6,
            "today": "2026-03-03",
            "history": [{"date": "2026-03-02", "pain_during": 5}],
        },
    ],
}


def doc(mutate) -> str:
    data = copy.deepcopy(BASE)
    mutate(data)
    return json.dumps(data)


def s1(data):
    return data["scenarios"][1]


def err(text) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        parse_scenario_document(text)
    msg = str(e.value)
    assert "\n" not in msg
    assert "Traceback" not in msg
    return e.value


def test_valid_document_parses():
    d = parse_scenario_document(json.dumps(BASE))
    assert isinstance(d, ScenarioDocument)
    assert [s.id for s in d.scenarios] == ["A01", "A03"]
    a = d.scenarios[0]
    assert str(a.history[1].strength_lsi) == "82.5"  # read as Decimal, not float
    assert a.expected == {"outcome": "advance", "to_phase": 2, "refer": False}
    assert d.scenarios[1].context.acwr is None and d.scenarios[1].expected is None


def test_protocol_key_is_optional_and_empty_list_allowed():
    d = parse_scenario_document('{"scenarios": []}')
    assert d.protocol is None and d.scenarios == ()


def test_exact_message_format():
    # one validator: scenario values are checked against the same scales, in the same words, as protocol numbers
    e = err(doc(lambda d: s1(d)["history"][0].update(pain_during=11)))
    assert str(e) == 'scenario "A03": history[0].pain_during: must be from 0 to 10, got 11'
    assert (e.scenario_id, e.field) == ("A03", "history[0].pain_during")


def test_phases_are_the_protocols_when_one_is_given():
    from progression.engine import load_default_protocol

    text = doc(lambda d: s1(d).update(phase=7))
    assert parse_scenario_document(text).scenarios[1].phase == 7  # a nine-phase protocol has a Phase 7
    with pytest.raises(ScenarioError) as e:
        parse_scenario_document(text, protocol=load_default_protocol())
    assert str(e.value) == 'scenario "A03": phase: must be 6 or less, got 7'
    with pytest.raises(ScenarioError) as e:
        parse_scenario_document(doc(lambda d: s1(d).update(expected={"to_phase": 7})),
                                protocol=load_default_protocol())
    assert e.value.field == "expected.to_phase"


# (mutation, field) for scenario "A03"; every message must name "A03" and the field
CASES = {
    "missing phase": (lambda d: s1(d).pop("phase"), "phase"),
    "missing today": (lambda d: s1(d).pop("today"), "today"),
    "missing history": (lambda d: s1(d).pop("history"), "history"),
    "missing date": (lambda d: s1(d)["history"][0].pop("date"), "history[0].date"),
    "missing pain": (lambda d: s1(d)["history"][0].pop("pain_during"), "history[0].pain_during"),
    "empty history": (lambda d: s1(d).update(history=[]), "history"),
    "history not a list": (lambda d: s1(d).update(history={}), "history"),
    "session not an object": (lambda d: s1(d).update(history=[3]), "history[0]"),
    "phase out of range": (lambda d: s1(d).update(phase=20), "phase"),  # no protocol has 21 phases
    "phase negative": (lambda d: s1(d).update(phase=-1), "phase"),
    "phase bool": (lambda d: s1(d).update(phase=True), "phase"),
    "phase string": (lambda d: s1(d).update(phase="1"), "phase"),
    "pain above 10": (lambda d: s1(d)["history"][0].update(pain_during=11), "history[0].pain_during"),
    "pain negative": (lambda d: s1(d)["history"][0].update(pain_during=-1), "history[0].pain_during"),
    "pain bool": (lambda d: s1(d)["history"][0].update(pain_during=True), "history[0].pain_during"),
    "pain float": (lambda d: s1(d)["history"][0].update(pain_during=2.5), "history[0].pain_during"),
    "pain null": (lambda d: s1(d)["history"][0].update(pain_during=None), "history[0].pain_during"),
    "soreness above 10": (lambda d: s1(d)["history"][0].update(soreness_24h=11), "history[0].soreness_24h"),
    "soreness bool": (lambda d: s1(d)["history"][0].update(soreness_24h=False), "history[0].soreness_24h"),
    "lsi above 200": (lambda d: s1(d)["history"][0].update(strength_lsi=200.1), "history[0].strength_lsi"),
    "lsi string": (lambda d: s1(d)["history"][0].update(strength_lsi="90"), "history[0].strength_lsi"),
    "lsi bool": (lambda d: s1(d)["history"][0].update(strength_lsi=True), "history[0].strength_lsi"),
    "technique above 100": (lambda d: s1(d)["history"][0].update(technique=101), "history[0].technique"),
    "fresh above 100": (
        lambda d: s1(d)["history"][0].update(technique_fresh=100.5),
        "history[0].technique_fresh",
    ),
    "fatigued negative": (
        lambda d: s1(d)["history"][0].update(technique_fatigued=-1),
        "history[0].technique_fatigued",
    ),
    "rpe above 10": (lambda d: s1(d)["history"][0].update(rpe=10.5), "history[0].rpe"),
    "minutes above 600": (lambda d: s1(d)["history"][0].update(minutes=601), "history[0].minutes"),
    "peak above 120": (lambda d: s1(d)["history"][0].update(peak_speed_pct=121), "history[0].peak_speed_pct"),
    "efforts negative": (lambda d: s1(d)["history"][0].update(efforts_95=-1), "history[0].efforts_95"),
    "efforts float": (lambda d: s1(d)["history"][0].update(efforts_95=1.5), "history[0].efforts_95"),
    "efforts bool": (lambda d: s1(d)["history"][0].update(efforts_95=True), "history[0].efforts_95"),
    "full_session int": (lambda d: s1(d)["history"][0].update(full_session=1), "history[0].full_session"),
    "red_flag string": (lambda d: s1(d)["history"][0].update(red_flag="yes"), "history[0].red_flag"),
    "apprehension above 100": (
        lambda d: s1(d)["history"][0].update(apprehension=101),
        "history[0].apprehension",
    ),
    "bad date": (lambda d: s1(d)["history"][0].update(date="2026-02-30"), "history[0].date"),
    "date not iso": (lambda d: s1(d)["history"][0].update(date="02/03/2026"), "history[0].date"),
    "date number": (lambda d: s1(d)["history"][0].update(date=20260302), "history[0].date"),
    "bad today": (lambda d: s1(d).update(today="tomorrow"), "today"),
    "dates out of order": (
        lambda d: s1(d).update(
            history=[{"date": "2026-03-02", "pain_during": 0}, {"date": "2026-03-01", "pain_during": 0}]
        ),
        "history[1].date",
    ),
    "today before last session": (lambda d: s1(d).update(today="2026-03-01"), "today"),
    "unknown session key": (lambda d: s1(d)["history"][0].update(redflag=True), "history[0].redflag"),
    "strength_method is not a scenario field": (
        lambda d: s1(d)["history"][0].update(strength_method="nordic"),
        "history[0].strength_method",
    ),
    "unknown context key": (lambda d: s1(d).update(context={"acwr": 1.2, "load": 90}), "context.load"),
    "context not an object": (lambda d: s1(d).update(context=[]), "context"),
    "acwr negative": (lambda d: s1(d).update(context={"acwr": -0.1}), "context.acwr"),
    "acwr bool": (lambda d: s1(d).update(context={"acwr": True}), "context.acwr"),
    "load_pct string": (lambda d: s1(d).update(context={"load_pct": "90"}), "context.load_pct"),
    "days_since_rts float": (
        lambda d: s1(d).update(context={"days_since_rts": 28.5}),
        "context.days_since_rts",
    ),
    "days_since_rts negative": (
        lambda d: s1(d).update(context={"days_since_rts": -1}),
        "context.days_since_rts",
    ),
    "unknown scenario key": (lambda d: s1(d).update(notes="typo"), "notes"),
    "expected unknown key": (
        lambda d: s1(d).update(expected={"outcome": "hold", "phase": 1}),
        "expected.phase",
    ),
    "expected bad outcome": (lambda d: s1(d).update(expected={"outcome": "advanced"}), "expected.outcome"),
    "expected to_phase range": (lambda d: s1(d).update(expected={"to_phase": 20}), "expected.to_phase"),
    "expected to_phase bool": (lambda d: s1(d).update(expected={"to_phase": False}), "expected.to_phase"),
    "expected refer int": (lambda d: s1(d).update(expected={"refer": 0}), "expected.refer"),
    "expected not an object": (lambda d: s1(d).update(expected="hold"), "expected"),
    "note not a string": (lambda d: s1(d).update(note=5), "note"),
    "duplicate id": (lambda d: s1(d).update(id="A01"), "id"),
}


@pytest.mark.parametrize("mutate,field", CASES.values(), ids=list(CASES))
def test_error_names_scenario_and_field(mutate, field):
    e = err(doc(mutate))
    sid = "A01" if field == "id" else "A03"
    assert e.scenario_id == sid
    assert e.field == field
    assert str(e).startswith(f'scenario "{sid}": {field}: ')


def test_duplicate_id_message():
    e = err(doc(lambda d: s1(d).update(id="A01")))
    assert str(e) == 'scenario "A01": id: duplicate id (also scenarios[0])'


@pytest.mark.parametrize("bad_id", ["", "  ", 5, None, True])
def test_bad_id_names_the_position(bad_id):
    e = err(doc(lambda d: s1(d).update(id=bad_id)))
    assert e.scenario_id is None
    assert e.field == "scenarios[1].id"
    assert str(e).startswith("scenarios[1].id: must be a non-empty string")


def test_missing_id():
    e = err(doc(lambda d: s1(d).pop("id")))
    assert (e.scenario_id, e.field) == (None, "scenarios[1].id")


@pytest.mark.parametrize(
    "text,line,col",
    [
        ('{"scenarios": [\n  {"id": "A01",}\n]}', 2, 16),
        ("", 1, 1),
        ('{"scenarios": [}', 1, 16),
    ],
)
def test_bad_json_names_line_and_column(text, line, col):
    e = err(text)
    assert f"line {line}, column {col}" in str(e)
    assert str(e).startswith("invalid JSON at")
    assert e.scenario_id is None


def test_nan_and_infinity_are_refused():
    text = json.dumps(BASE).replace('"strength_lsi": 78', '"strength_lsi": NaN')
    e = err(text)
    assert (e.scenario_id, e.field) == ("A01", "history[0].strength_lsi")
    text = json.dumps(BASE).replace('"strength_lsi": 78', '"strength_lsi": Infinity')
    assert err(text).field == "history[0].strength_lsi"


def test_key_given_twice_is_an_error():
    text = json.dumps(BASE).replace('"pain_during": 5}', '"pain_during": 5, "pain_during": 1}')
    e = err(text)
    assert (e.scenario_id, e.field) == ("A03", "history[0].pain_during")
    assert "twice" in str(e)


@pytest.mark.parametrize(
    "text,field",
    [
        ("[]", None),
        ('{"scenarios": {}}', "scenarios"),
        ('{"protocol": 3, "scenarios": []}', "protocol"),
        ('{"scenarios": [], "extra": 1}', "extra"),
        ('{"protocol": "hamstring-rts"}', "scenarios"),
        ('{"scenarios": [5]}', "scenarios[0]"),
    ],
)
def test_top_level_errors(text, field):
    e = err(text)
    assert e.scenario_id is None
    assert e.field == field


def test_nulls_mean_not_recorded():
    text = doc(
        lambda d: s1(d)["history"][0].update(
            soreness_24h=None, strength_lsi=None, full_session=None, red_flag=None, efforts_95=None
        )
    )
    s = parse_scenario_document(text).scenarios[1].history[0]
    assert (s.soreness_24h, s.strength_lsi, s.full_session, s.red_flag, s.efforts_95) == (
        None,
        None,
        False,
        False,
        None,
    )


def test_same_day_sessions_and_today_equal_last_date_are_fine():
    text = doc(
        lambda d: s1(d).update(
            today="2026-03-02",
            history=[{"date": "2026-03-02", "pain_during": 0}, {"date": "2026-03-02", "pain_during": 1}],
        )
    )
    assert len(parse_scenario_document(text).scenarios[1].history) == 2
