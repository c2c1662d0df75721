"""Every scenario of shared/scenarios/sample.json gives its expected result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from progression.engine import evaluate, load_default_protocol, parse_scenario_document, run_scenarios

# A copy ships with the tests so they run from any checkout; test_copy_matches_shared keeps it honest.
SAMPLE = Path(__file__).resolve().parent / "scenarios" / "sample.json"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "scenarios" / "sample.json"
DOC = parse_scenario_document(SAMPLE.read_text(encoding="utf-8"))
PROTOCOL = load_default_protocol()


def test_copy_matches_shared():
    if not SHARED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert json.loads(SHARED.read_text(encoding="utf-8")) == json.loads(SAMPLE.read_text(encoding="utf-8")), (
        "shared/scenarios/sample.json changed: copy it to tests/engine/scenarios/")


def test_sample_file_has_ten_scenarios():
    assert len(DOC.scenarios) == 10
    assert DOC.protocol == "hamstring-rts"


@pytest.mark.parametrize("scenario", DOC.scenarios, ids=lambda s: s.id)
def test_sample_scenario(scenario):
    d = evaluate(
        PROTOCOL,
        phase=scenario.phase,
        history=scenario.history,
        today=scenario.today,
        context=scenario.context,
    )
    got = {"outcome": d.outcome.value, "to_phase": d.to_phase, "refer": d.refer}
    assert scenario.expected, "every sample scenario carries its expectation"
    for key, want in scenario.expected.items():
        assert got[key] == want, f"{scenario.id} ({scenario.note}): {key} expected {want}, got {got[key]}"


def test_run_scenarios_output_and_no_mismatch():
    out, mismatches = run_scenarios(PROTOCOL, DOC)
    assert mismatches == []
    assert out["protocol"] == "hamstring-rts" and out["version"] == 1
    assert [r["id"] for r in out["results"]] == [s.id for s in DOC.scenarios]
    for r in out["results"]:
        assert set(r) == {"id", "outcome", "from_phase", "to_phase", "refer", "reasons", "recommendations"}
        assert r["reasons"], r["id"]
    json.dumps(out)  # JSON-safe as it is


def test_run_scenarios_reports_mismatches():
    text = SAMPLE.read_text(encoding="utf-8").replace(
        '"to_phase": 0,\n    "refer": false', '"to_phase": 1,\n    "refer": false', 1
    )
    doc = parse_scenario_document(text)
    _, mismatches = run_scenarios(PROTOCOL, doc)
    assert mismatches == ["A03: to_phase expected 1, got 0"]
