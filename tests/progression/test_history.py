"""The decision history, grouped by phase with identical holds folded (issue 12: 28 decisions in a flat list)."""
from types import SimpleNamespace

from web.clinic.history import HoldRun, group_decisions


def d(pk, phase, outcome="hold", rule="rule.missing_data", status="applied"):
    return SimpleNamespace(pk=pk, from_phase=phase, outcome=outcome, decided_by_rule=rule, status=status,
                           reasons=[{"code": rule, "title": "Missing data", "message": "No next-morning report yet."}])


def test_runs_of_identical_holds_fold_and_the_newest_stays_open():
    decisions = [d(9, 2), d(8, 2), d(7, 2), d(6, 2), d(5, 1, "advance", "rule.exit_criteria", "signed_off"),
                 d(4, 1), d(3, 1, rule="exit.min_lsi"), d(2, 1, rule="exit.min_lsi"), d(1, 0)]
    groups = group_decisions(decisions, {0: "Protected", 1: "Technique", 2: "Accelerations"})
    assert [g.phase for g in groups] == [2, 1, 0]
    newest, run = groups[0].entries
    assert newest.pk == 9 and isinstance(run, HoldRun) and run.count == 3 and run.title == "Missing data"
    assert [getattr(e, "pk", None) for e in groups[1].entries[:2]] == [5, 4]
    lsi_run = groups[1].entries[2]
    assert isinstance(lsi_run, HoldRun) and [x.pk for x in lsi_run.decisions] == [3, 2]
    assert groups[2].entries[0].pk == 1


def test_a_pending_advance_is_never_folded():
    groups = group_decisions([d(3, 1), d(2, 1, "advance", "rule.exit_criteria", "awaiting_signoff"), d(1, 1)], {})
    assert [getattr(e, "pk", None) for e in groups[0].entries] == [3, 2, 1]
