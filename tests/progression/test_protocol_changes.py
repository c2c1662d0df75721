"""protocol_changes: what differs between two protocol definitions, in plain words. Pure: no database."""
import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from progression.protocol_editing import apply_numbers, editable_numbers, exit_label, protocol_changes

DEFAULT = json.loads((Path(__file__).resolve().parents[2] / "progression" / "protocols" / "hamstring-rts.json").read_text())


@pytest.fixture
def old():
    return copy.deepcopy(DEFAULT)


@pytest.fixture
def new(old):
    edited = copy.deepcopy(old)
    edited["version"] = 2
    return edited


def phase(definition, number):
    return next(p for p in definition["phases"] if p["number"] == number)


def rule(definition, code):
    return next(r for r in definition["rules"] if r["code"] == code)


def test_the_same_definition_has_no_changes(old):
    assert protocol_changes(old, copy.deepcopy(old)) == []


def test_slug_and_version_are_not_changes(old, new):
    new["slug"], new["version"] = "hamstring-rts-northside", 7
    assert protocol_changes(old, new) == []


def test_numbers_written_differently_are_the_same(old, new):
    phase(new, 3)["exit"]["min_lsi"] = 90.0
    rule(new, "load_spike")["hold_at"] = Decimal("1.50")
    assert protocol_changes(old, new) == []


def test_an_exit_threshold_reads_as_the_brief_writes_it(old, new):
    phase(new, 3)["exit"]["min_lsi"] = 92
    assert protocol_changes(old, new) == ["P3 exit: LSI >= 90 -> 92"]


def test_sessions_a_week(old, new):
    phase(new, 4)["sessions_per_week"] = {"min": 3, "max": 3}
    phase(new, 5)["sessions_per_week"] = {"min": 2, "max": 4}
    assert protocol_changes(old, new) == ["P4 sessions/week 2 -> 3", "P5 sessions/week 2-3 -> 2-4"]


def test_a_threshold_with_a_scope(old, new):
    phase(new, 3)["exit"]["min_peak_speed"] = {"value": 88, "scope": "best"}
    assert protocol_changes(old, new) == ["P3 exit: peak speed % >= 85 -> 88",
                                          'P3 exit: peak speed % scope "latest" -> "best"']


def test_a_maximum_reads_as_at_most(old, new):
    phase(new, 4)["exit"]["max_pain"] = 1
    assert protocol_changes(old, new) == ["P4 exit: pain <= 0 -> 1"]


def test_criteria_added_and_removed(old, new):
    del phase(new, 5)["exit"]["min_load_pct"]
    phase(new, 6)["exit"]["max_apprehension"] = 0
    assert protocol_changes(old, new) == ["P5 exit: load % baseline >= 90 removed", "P6 exit: apprehension <= 0 added"]


def test_rule_parameters(old, new):
    rule(new, "red_flag")["pain_at_least"] = 8
    rule(new, "load_spike")["hold_at"] = 1.4
    assert protocol_changes(old, new) == ["Rule 1 (red flag): pain at least 7 -> 8",
                                          "Rule 7 (load spike): hold at 1.5 -> 1.4"]


def test_rule_text_and_sources(old, new):
    rule(new, "red_flag")["description"] = "Something else entirely."
    rule(new, "red_flag")["source"] = ["schut2017"]
    assert protocol_changes(old, new) == ["Rule 1 (red flag): description changed", "Rule 1 (red flag): source changed"]


def test_rules_added_removed_reordered(old, new):
    new["rules"] = [r for r in new["rules"] if r["code"] != "technique_fatigue"]
    assert protocol_changes(old, new) == ["Rule 8 (technique breaks down under fatigue) removed"]
    swapped = copy.deepcopy(old)
    swapped["rules"][0], swapped["rules"][1] = swapped["rules"][1], swapped["rules"][0]
    assert protocol_changes(old, swapped) == ["Rules reordered"]


def test_phase_settings_and_prescription(old, new):
    phase(new, 3)["min_hours_between"] = 72
    phase(new, 1)["intensity_pct"] = {"min": None, "max": 65}
    phase(new, 2)["default_days"] = [2, 4, 6]
    phase(new, 3)["items"][0]["reps"]["max"] = 8
    phase(new, 3)["items"].append({"block": "drill", "name": "A-skips"})
    phase(new, 0)["name"] = "Protected loading"
    assert protocol_changes(old, new) == [
        'P0 name "Protected loading (no running)" -> "Protected loading"',
        "P1 intensity % up to 60 -> up to 65",
        "P2 default days Mon, Wed, Fri -> Tue, Thu, Sat",
        "P3 hours between sessions 48 -> 72",
        "P3 Build-up runs: reps max 6 -> 8",
        'P3 prescription: "A-skips" added',
    ]


def test_top_level_parts(old, new):
    new["name"] = "Our RTS"
    new["load"]["min_days"] = 14
    new["measurement"]["lsi_window_days"] = 10
    new["sources"]["extra2025"] = "Someone 2025."
    new["description"] = "Shorter."
    assert protocol_changes(old, new) == [
        'Name "Return to sprint after hamstring strain" -> "Our RTS"',
        "Description changed",
        "Source extra2025 added",
        "Measurement: lsi window days 7 -> 10",
        "Load: min days 21 -> 14",
    ]


def test_phases_added_and_removed(old, new):
    new["phases"] = [p for p in new["phases"] if p["number"] != 6]
    assert protocol_changes(old, new) == ["P6 removed"]
    assert protocol_changes(new, old) == ["P6 added: Return-to-performance surveillance"]


def test_the_numbers_form_round_trip_lists_exactly_what_was_edited(old):
    """apply_numbers then protocol_changes: the editor's own path."""
    values = {row["key"]: row["value"] for row in editable_numbers(old)}
    values["phase.3.min_lsi"] = Decimal("92")
    values["phase.4.sessions_per_week.min"] = Decimal("3")
    values["phase.4.sessions_per_week.max"] = Decimal("3")
    values["phase.4.default_days"] = [5, 1, 3]
    values["phase.2.default_days"] = []
    values["rule.red_flag.pain_at_least"] = Decimal("8")
    edited = apply_numbers(old, values)
    assert protocol_changes(old, edited) == ["P2 default days Mon, Wed, Fri -> from the spacing",
                                             "P3 exit: LSI >= 90 -> 92", "P4 sessions/week 2 -> 3",
                                             "P4 default days Mon, Thu -> Mon, Wed, Fri",
                                             "Rule 1 (red flag): pain at least 7 -> 8"]
    assert phase(edited, 4)["default_days"] == [1, 3, 5] and phase(edited, 2)["default_days"] is None


def test_exit_labels():
    assert exit_label("min_lsi") == "LSI >="
    assert exit_label("max_soreness") == "soreness <="
    assert exit_label("min_something_new") == "something new >="


def test_sessions_a_week_are_editable(old):
    rows = {row["key"]: row for row in editable_numbers(old)}
    assert rows["phase.4.sessions_per_week.min"]["value"] == 2
    assert rows["phase.5.sessions_per_week.max"]["value"] == 3
