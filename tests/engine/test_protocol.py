"""The protocol as data: the default file, validation with paths, round-trips, data-driven rules."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal

import pytest

from progression.engine import (
    Outcome,
    ProtocolError,
    default_protocol_data,
    load_default_protocol,
    protocol_from_dict,
    protocol_to_dict,
)
from progression.engine.protocol import default_protocol_path

from .builders import D, clean_stint, decide, reason, session

P = load_default_protocol()


def test_default_protocol_identity():
    assert (P.slug, P.version) == ("hamstring-rts", 1)
    assert P.name
    assert len(P.phases) == 7
    assert [ph.number for ph in P.phases] == list(range(7))
    assert P.phase(3) is P.phases[3]
    assert load_default_protocol() is P  # parsed once
    with pytest.raises(ValueError):
        P.phase(7)


def test_rule_thresholds_match_protocol_md():
    r = {x.code: x for x in P.rules}
    assert [x.number for x in P.rules] == list(range(1, 11))
    assert (r["red_flag"].params["pain_at_least"], r["red_flag"].params["soreness_at_least"]) == (7, 7)
    assert r["red_flag"].params["to_phase"] == 0 and r["red_flag"].params["refer"] is True
    assert (
        r["pain_or_soreness_5"].params["pain_at_least"],
        r["pain_or_soreness_5"].params["soreness_at_least"],
    ) == (5, 5)
    assert r["soreness_consecutive"].params["soreness_at_least"] == 3
    assert r["soreness_consecutive"].params["consecutive"] == 2
    sf = r["strength_falling"].params
    assert (sf["lsi_below"], sf["drop_from_best"], sf["below_entry"]) == (100, 10, 5)
    p6 = r["pain_or_soreness_3_4"].params
    assert (p6["pain_min"], p6["pain_max"], p6["soreness_min"], p6["soreness_max"]) == (3, 4, 3, 4)
    assert (r["load_spike"].params["hold_at"], r["load_spike"].params["reduce_volume_at"]) == (
        D("1.5"),
        D("2.0"),
    )
    assert r["technique_fatigue"].params["drop_at_least"] == 25
    assert (r["apprehension"].params["from_phase"], r["apprehension"].params["above"]) == (4, 0)
    assert P.lsi_window_days == 7
    assert (P.load.acute_n, P.load.chronic_n, P.load.min_days) == (7, 28, 21)
    assert [ph.entry_lsi for ph in P.phases] == [None, None, 80, 85, 90, 90, 90]
    assert [ph.refer_on_regress for ph in P.phases] == [False] * 6 + [True]
    assert [ph.sign_off_to_advance for ph in P.phases] == [False] * 5 + [True, True]
    for x in P.rules:
        assert isinstance(x.params, type(P.sources))  # read-only mapping
        for v in x.params.values():
            assert type(v) in (Decimal, int, bool)


def test_sources_cover_every_reference_and_rules_cite_them():
    text = default_protocol_path().read_text(encoding="utf-8")
    raw = json.loads(text)
    for key in (
        "hickey2020",
        "silbernagel2007",
        "askling2013",
        "askling2010",
        "mendiguchia2017",
        "taberner2019",
        "vanderhorst2017",
        "zambaldi2017",
        "paton2023",
        "heiderscheit2010",
        "silder2013",
        "devos2014",
        "schut2017",
        "foster2001",
        "gabbett2016",
        "williams2017",
        "murray2017",
        "impellizzeri2020",
        "bramah",
        "small2010",
        "ekstrand2012",
        "ekstrand2016",
        "pollock2022",
        "practice_default",
    ):
        assert key in raw["sources"], key
    r = {x.code: x for x in P.rules}
    assert "Schut" in r["red_flag"].source and "practice default" in r["red_flag"].source.lower()
    assert "Hickey" in r["pain_or_soreness_5"].source
    assert "Silbernagel" in r["soreness_consecutive"].source and "Paton" in r["soreness_consecutive"].source
    assert "Gabbett" in r["load_spike"].source and "Murray" in r["load_spike"].source
    assert "Askling" in r["apprehension"].source
    assert "Bramah" in P.phase(4).criterion("min_technique").source


def test_phase_templates_from_protocol_md():
    ph = [P.phase(n) for n in range(7)]
    assert [(p.sessions_per_week_min, p.sessions_per_week_max) for p in ph] == [
        (3, 5),
        (3, 3),
        (3, 3),
        (2, 2),
        (2, 2),
        (2, 3),
        (2, 4),
    ]
    assert [p.min_hours_between for p in ph] == [None, 48, None, 48, 72, None, None]
    assert [(p.intensity_pct_min, p.intensity_pct_max) for p in ph[1:5]] == [
        (None, 60),
        (60, 75),
        (75, 90),
        (90, 100),
    ]


def test_round_trip():
    data = default_protocol_data()
    p = protocol_from_dict(data)
    assert p == P
    back = protocol_to_dict(p)
    assert back == data
    assert protocol_from_dict(back) == p
    assert hash(protocol_from_dict(back)) == hash(p)
    back["phases"][1]["exit"]["min_lsi"] = 81  # the copy is editable and independent
    assert protocol_to_dict(p)["phases"][1]["exit"]["min_lsi"] == 80
    assert protocol_from_dict(back) != p


def test_round_trip_through_json_text():
    text = json.dumps(protocol_to_dict(P), default=lambda o: float(o) if isinstance(o, Decimal) else o)
    assert protocol_from_dict(json.loads(text, parse_float=Decimal)) == P


def test_default_data_is_a_fresh_copy():
    a = default_protocol_data()
    a["rules"].clear()
    assert default_protocol_data()["rules"]


def test_protocol_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        P.version = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        P.phases[1].min_sessions = 1
    with pytest.raises(TypeError):
        P.rules[0].params["pain_at_least"] = 1
    with pytest.raises(TypeError):
        P._raw["version"] = 2


def _mutated(fn):
    data = default_protocol_data()
    fn(data)
    return data


def _phase(data, n):
    return data["phases"][n]


BAD = [
    (lambda d: _phase(d, 3)["exit"].update(min_lsi="90"), "phases[3].exit.min_lsi: must be a number"),
    (lambda d: _phase(d, 3)["exit"].update(min_lsi=True), "phases[3].exit.min_lsi: must be a number"),
    (lambda d: _phase(d, 3)["exit"].update(min_lsi=-1), "phases[3].exit.min_lsi: must be 0 or more"),
    (
        lambda d: _phase(d, 3)["exit"].update(min_peak_speed={"value": 85, "scope": "first"}),
        "phases[3].exit.min_peak_speed.scope",
    ),
    (
        lambda d: _phase(d, 3)["exit"].update(min_peak_speed={"value": "x"}),
        "phases[3].exit.min_peak_speed.value: must be a number",
    ),
    (lambda d: _phase(d, 2)["exit"].update(max_lsi=90), "phases[2].exit.max_lsi: unknown criterion code"),
    (lambda d: _phase(d, 2)["exit"].pop("min_sessions"), "phases[2].exit.min_sessions: is required"),
    (lambda d: _phase(d, 2)["exit"].update(min_sessions=0), "phases[2].exit.min_sessions: must be 1 or more"),
    (lambda d: _phase(d, 2).update(number=5), "phases[2].number: must be 2"),
    (lambda d: _phase(d, 2).update(colour="red"), "phases[2].colour: unknown key"),
    (lambda d: _phase(d, 2).pop("name"), "phases[2].name: is required"),
    (
        lambda d: _phase(d, 2)["sessions_per_week"].update(min=4),
        "phases[2].sessions_per_week: min 4 is above max 3",
    ),
    (
        lambda d: _phase(d, 4).update(default_days=[1, 2]),
        "phases[4].default_days: Monday and Tuesday are 24 h apart",
    ),
    (lambda d: _phase(d, 4).update(default_days=[1, 4, 6]), "phases[4].default_days: has 3 days"),
    (lambda d: _phase(d, 1)["items"][0].update(block="yoga"), "phases[1].items[0].block: must be one of"),
    (
        lambda d: _phase(d, 1)["items"][1].update(intensity_pct={"min": 70, "max": 60}),
        "phases[1].items[1].intensity_pct: min 70 is above max 60",
    ),
    (lambda d: d["rules"][1].update(pain_at_least="5"), "rules[1].pain_at_least: must be a number"),
    (lambda d: d["rules"][1].pop("pain_at_least"), "rules[1].pain_at_least: is required"),
    (lambda d: d["rules"][1].update(code="pain_or_soreness_6"), "rules[1].code: unknown rule code"),
    (
        lambda d: d["rules"][1].update(source=["nobody2020"]),
        'rules[1].source[0]: unknown source id "nobody2020"',
    ),
    (lambda d: d["rules"][1].update(number=1), "rules[1].number: duplicate rule number 1"),
    (lambda d: d["rules"][0].update(to_phase=9), "rules[0].to_phase: must be 6 or less"),
    (lambda d: d["rules"].append(d["rules"].pop(0)), 'rules: the last rule must be "exit_criteria"'),
    (lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), 'rules[10].code: duplicate rule "red_flag"'),
    (lambda d: d.update(version=0), "version: must be 1 or more"),
    (lambda d: d.update(slug="Hamstring RTS"), "slug: must be lower-case"),
    (lambda d: d.update(extra=1), "extra: unknown key"),
    (lambda d: d.pop("phases"), "phases: is required"),
    (lambda d: d.update(phases=[]), "phases: must have at least one phase"),
    (lambda d: d["load"].update(acute_n=0), "load.acute_n: must be 1 or more"),
    (
        lambda d: d["measurement"].update(lsi_window_days=1.5),
        "measurement.lsi_window_days: must be an integer",
    ),
    (lambda d: d["time_floors"]["floors"][0].update(site="d"), "time_floors.floors[0].site"),
    (
        lambda d: d["criteria"].pop("min_lsi"),
        "phases[1].exit.min_lsi: criterion not described in criteria.min_lsi",
    ),
    (
        lambda d: d["sources"].update(practice_default=""),
        "sources.practice_default: must be a non-empty string",
    ),
]


@pytest.mark.parametrize("mutate,message", BAD)
def test_protocol_error_names_the_path(mutate, message):
    with pytest.raises(ProtocolError) as e:
        protocol_from_dict(_mutated(mutate))
    assert str(e.value).startswith(message), str(e.value)
    assert isinstance(e.value, ValueError)


def test_protocol_error_on_non_mapping():
    with pytest.raises(ProtocolError):
        protocol_from_dict([])


# --------------------------------------------------------------------------- #
# A clinic's copy changes the numbers, and the engine follows
# --------------------------------------------------------------------------- #


def test_cloned_protocol_with_other_numbers():
    data = default_protocol_data()
    data["slug"] = "clinic-copy"
    data["version"] = 2
    _phase(data, 1)["exit"]["min_lsi"] = 70
    data["rules"][1]["pain_at_least"] = 6
    data["rules"][1]["soreness_at_least"] = 6
    data["rules"][7]["drop_at_least"] = 20
    data["measurement"]["lsi_window_days"] = 3
    data["sources"]["hickey2020"] = "Our clinic's reading of Hickey 2020."
    p = protocol_from_dict(data)

    d = decide(1, clean_stint(1, latest={"strength_lsi": D(72)}), protocol=p)
    assert d.outcome is Outcome.ADVANCE
    assert (d.protocol_slug, d.protocol_version) == ("clinic-copy", 2)
    assert "70 or more needed" in reason(d, "exit.min_lsi").message
    assert decide(1, clean_stint(1, latest={"strength_lsi": D(72)})).outcome is Outcome.HOLD  # default: 80

    d = decide(2, clean_stint(2, latest={"pain_during": 5}), protocol=p)
    assert d.outcome is Outcome.HOLD  # 5 is no longer a regression
    assert reason(d, "rule.pain_or_soreness_5").status == "clear"
    assert "6 or more" in reason(d, "rule.pain_or_soreness_5").message
    assert (
        reason(d, "rule.pain_or_soreness_5").source
        == "Our clinic's reading of Hickey 2020. Note: Hickey 2020 tolerated pain up to 4/10; 5 is beyond that."
    )

    d = decide(2, clean_stint(2, latest={"technique_fresh": D(80), "technique_fatigued": D(60)}), protocol=p)
    assert d.decided_by == "rule.technique_fatigue"

    # LSI window of 3 days
    hist = [session(4, strength_lsi=D(100), technique=D(100)), session(1, technique=D(100))]
    assert decide(1, hist, protocol=p).decided_by == "rule.missing_data"
    assert decide(1, hist).outcome is Outcome.ADVANCE


def test_clinic_can_drop_a_rule_and_reorder_phases_content():
    data = default_protocol_data()
    data["rules"] = [r for r in data["rules"] if r["code"] != "load_spike"]
    p = protocol_from_dict(data)
    d = decide(3, clean_stint(3), protocol=p)
    assert reason(d, "rule.load_spike") is None
    assert d.outcome is Outcome.ADVANCE
    from progression.engine import Context

    assert decide(3, clean_stint(3), Context(acwr=D(3)), protocol=p).outcome is Outcome.ADVANCE


def test_criterion_override_of_source_and_scope():
    data = default_protocol_data()
    _phase(data, 6)["exit"]["min_peak_speed"] = {"value": 95, "scope": "latest", "source": ["pollock2022"]}
    p = protocol_from_dict(data)
    c = p.phase(6).criterion("min_peak_speed")
    assert c.scope == "latest" and "Pollock" in c.source
    assert protocol_from_dict(default_protocol_data()).phase(6).criterion("min_peak_speed").scope == "best"
