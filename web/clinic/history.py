"""The clinician's decision history, readable: grouped by phase, with runs of identical holds folded.

A pure function of the decisions (newest first, as the selector gives them): nothing here queries.
"""
from dataclasses import dataclass, field


@dataclass
class HoldRun:
    """Consecutive holds for the same reason: shown as one line ("held 4 times: no next-morning report")."""

    decisions: list
    title: str
    detail: str

    @property
    def count(self) -> int:
        return len(self.decisions)

    @property
    def first(self):
        return self.decisions[-1]

    @property
    def last(self):
        return self.decisions[0]


@dataclass
class PhaseGroup:
    phase: int
    name: str
    entries: list = field(default_factory=list)  # Decision or HoldRun, newest first


def _deciding_reason(decision) -> dict:
    return next((r for r in decision.reasons or () if r.get("code") == decision.decided_by_rule), {})


def _foldable(decision) -> bool:
    return decision.outcome == "hold" and decision.status == "applied"


def _key(decision) -> tuple:
    return decision.from_phase, decision.decided_by_rule


def _flush(run: list, entries: list) -> None:
    if len(run) == 1:
        entries.append(run[0])
    elif run:
        reason = _deciding_reason(run[0])
        entries.append(HoldRun(list(run), reason.get("title") or run[0].decided_by_rule, reason.get("message", "")))
    run.clear()


def group_decisions(decisions, phase_names: dict) -> list[PhaseGroup]:
    """Group newest-first decisions by the phase they were taken in; fold runs of two or more identical holds. The
    newest decision and any pending one stay on their own, open."""
    groups: list[PhaseGroup] = []
    run: list = []
    for i, decision in enumerate(decisions):
        if not groups or groups[-1].phase != decision.from_phase:
            if groups:
                _flush(run, groups[-1].entries)
            groups.append(PhaseGroup(decision.from_phase, phase_names.get(decision.from_phase, "")))
        entries = groups[-1].entries
        if i > 0 and _foldable(decision):
            if run and _key(run[-1]) != _key(decision):
                _flush(run, entries)
            run.append(decision)
        else:
            _flush(run, entries)
            entries.append(decision)
    if groups:
        _flush(run, groups[-1].entries)
    return groups
