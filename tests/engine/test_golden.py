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
from decimal import Decimal
from pathlib import Path

import pytest

from progression.engine import load_default_protocol, protocol_from_dict

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


# --------------------------------------------------------------------------- #
# Definitions stored before the vocabulary still mean exactly the same
# --------------------------------------------------------------------------- #

STORED = Path(__file__).resolve().parent / "protocols" / "hamstring-rts-as-stored.json"


def test_the_stored_shape_is_the_corpus_default():
    """``protocols/hamstring-rts-as-stored.json`` is the default file as it was at ab18552: every definition in
    the database (version 1 and every clinic copy saved from it) has this shape, and the corpus replays it."""
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert stored == CORPUS["definitions"]["default"]


def test_the_default_file_and_the_stored_shape_decide_alike():
    stored = protocol_from_dict(json.loads(STORED.read_text(encoding="utf-8"), parse_float=Decimal))
    current = load_default_protocol()
    shape = ("clearance_phase", "last_phase", "sign_off_phases")
    assert [getattr(stored, a) for a in shape] == [getattr(current, a) for a in shape]
    flags = ("is_clearance", "is_last", "after_clearance", "sign_off_to_advance", "refer_on_regress", "min_sessions",
             "lsi_threshold", "entry_lsi")
    assert [[getattr(p, f) for f in flags] for p in stored.phases] == [[getattr(p, f) for f in flags]
                                                                       for p in current.phases]
    assert [r.code for r in stored.late_warning_rules] == [r.code for r in current.late_warning_rules]
    replay = {"default": current}
    differences = [i for i, case in enumerate(CASES)
                   if case["protocol"] == "default" and json.loads(json.dumps(run_case(replay, case))) != case["decision"]]
    assert differences == []
