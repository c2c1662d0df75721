"""The golden corpus: the engine of the day takes exactly the decisions the engine took when the corpus was made.

``tests/engine/golden/decisions.json.gz`` holds a few thousand engine inputs (the default protocol and clinic
copies of it in the current JSON shape, every phase, random and edge-case stints, app-only readings, late warning
signs, the repository's scenario files) and each ``Decision.to_dict()``: outcome, phases, refer, deciding rule,
every reason's code, status, message, values and source, the recommendations. See ``golden/generate.py``.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from .golden.generate import OUT, load_protocols, run_case

CORPUS = json.loads(gzip.decompress(OUT.read_bytes()))
PROTOCOLS = load_protocols(CORPUS["definitions"])
CASES = CORPUS["cases"]


def _where(i: int, case: dict) -> str:
    return case.get("scenario") or f"case {i} ({case['protocol']}, P{case['phase']})"


def _first_difference(want, got, path="decision"):
    if type(want) is not type(got):
        return f"{path}: {want!r} != {got!r}"
    if isinstance(want, dict):
        for k in sorted(set(want) | set(got)):
            if k not in want or k not in got:
                return f"{path}.{k}: only in {'stored' if k in want else 'new'}"
            diff = _first_difference(want[k], got[k], f"{path}.{k}")
            if diff:
                return diff
        return None
    if isinstance(want, list):
        if len(want) != len(got):
            return f"{path}: {len(want)} items != {len(got)}"
        for i, (a, b) in enumerate(zip(want, got, strict=True)):
            diff = _first_difference(a, b, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return None if want == got else f"{path}: {want!r} != {got!r}"


def test_corpus_is_large_and_varied():
    assert len(CASES) > 5000
    decided = Counter(c["decision"]["decided_by"] for c in CASES if c["decision"] is not None)
    for code in ("rule.red_flag", "rule.pain_or_soreness_5", "rule.soreness_consecutive", "rule.strength_falling",
                 "rule.missing_data", "rule.pain_or_soreness_3_4", "rule.load_spike", "rule.technique_fatigue",
                 "rule.apprehension", "rule.exit_criteria", "review_pending"):
        assert decided[code] >= 10, code
    assert sum(1 for k in decided if k.startswith("exit.")) == 11
    assert {c["protocol"] for c in CASES} == set(CORPUS["definitions"])
    assert {c["phase"] for c in CASES if c["protocol"] == "default"} == set(range(7))
    assert sum(1 for c in CASES if c.get("late")) > 100
    assert sum(1 for c in CASES if "scenario" in c) == 38


def test_every_decision_is_identical():
    differences = []
    for i, case in enumerate(CASES):
        got = run_case(PROTOCOLS, case)
        got = json.loads(json.dumps(got))
        if got != case["decision"]:
            differences.append(f"{_where(i, case)}: {_first_difference(case['decision'], got)}")
    assert not differences, f"{len(differences)} of {len(CASES)} decisions differ; first: " + "; ".join(
        differences[:5])


@pytest.mark.parametrize("case", [c for c in CASES if "scenario" in c], ids=lambda c: c["scenario"])
def test_scenario_files_keep_outcome_phases_refer_and_deciding_rule(case):
    got = run_case(PROTOCOLS, case)
    keys = ("outcome", "from_phase", "to_phase", "refer", "decided_by")
    assert {k: got[k] for k in keys} == {k: case["decision"][k] for k in keys}
