"""The progression engine: pure Python (standard library only), data in, decision out.

It imports nothing from Django or the project's apps. The default protocol is
data (``progression/protocols/hamstring-rts.json``); every threshold, exit
criterion and citation comes from the protocol dict, so a clinic's copy can
change any number. Numbers are compared in decimal arithmetic.

Readings of PROTOCOL.md where the text leaves room (each choice is also in the
engineer's report):

1.  Exit "session count and pain / soreness limits" are three criteria
    (``exit.min_sessions``, ``exit.max_pain``, ``exit.max_soreness``), each
    reading the last n sessions (n = the phase's ``min_sessions``). With fewer
    than n sessions, min_sessions is not met and the pain / soreness criteria
    report on the sessions there are. A session without a soreness report fails
    ``max_soreness``.
2.  ``Decision.decided_by``: the deciding rule's code (``rule.<code>``); when rule
    10 holds, the code of the first exit criterion not met (``exit.<code>``);
    when it advances, ``rule.exit_criteria``; the review gate: ``review_pending``.
3.  Rule 4 "highest earlier reading": earlier in stint order, of the same
    ``strength_method`` (``None`` compares only with ``None``, so scenario files,
    which carry no method, compare all readings). The "below 100" condition
    belongs to that branch only; the entry-level branch (previous phase's LSI
    exit threshold; none in P0 and P1) compares every reading regardless of
    method. Every finding is listed.
4.  Rule 5 / LSI criterion: "the most recent LSI within 7 days" is the last
    reading in stint order whose date is 0-7 days before ``today``; readings
    dated after ``today`` are ignored. The LSI exit criterion ignores the test
    method.
5.  Rule 7 with no ratio: status "clear", saying it was not computed.
6.  Rule 9 before P4 is still listed (status "clear", "checked from Phase 4 on")
    so the explanation always shows rules 1-9 in order up to the decider.
7.  Apprehension exit: P4 - no score in the stint is met; otherwise the most
    recent score in the stint must be 0. P5 - a score must exist in the stint
    and the most recent must be 0 (it need not be on the latest session).
8.  "In the phase" counts (efforts at >= 95%, full sessions, best peak speed)
    read the stint, as "How each criterion reads the stint" says.
9.  Referral: rule 1 always; rules 2-4 when regressing out of a phase marked
    ``refer_on_regress`` (P6). Rule 1 regresses to its ``to_phase`` (P0); in P0
    every regression stays in P0 and is still "regress".
10. Advancing from a phase marked ``sign_off_to_advance`` (P5: return-to-sport
    clearance; P6: discharge) adds a ``clinician_sign_off`` recommendation; the
    sign-off itself is the app's job.
11. The app-only ``Context.review_pending`` gate turns ADVANCE into HOLD with a
    reason of kind "gate" (code ``review_pending``), citing rule 1's source.
12. An empty stint (app only; scenario files need a session) holds on rule 5.
13. ACWR: with a baseline, the ratio is computed from the first day; with no
    load days at all it is ``None``.
14. Time floors: the first matching floor in the data wins; "any c" comes
    first (28 days), grade 4 is 28 days (practice default, not in PROTOCOL.md).
15. Most exit thresholds have no citation in PROTOCOL.md; they cite
    "practice default" (with a note where the text gives one).
16. Week prescription: default days are data (``default_days``): Mon/Wed/Fri
    for P0-P2 (P1 "not consecutive days" is encoded as 48 h), Tue/Fri for P3
    (2, >= 48 h), Mon/Thu for P4 (2, >= 72 h), Tue/Fri for P5 (2-3) and P6
    (2-4). Without ``default_days`` they are derived from the minimum sessions
    per week and the spacing. P6's maximal-velocity exposures carry 95-100%
    (PROTOCOL.md gives no number; 95% is the P5/P6 peak-speed criterion). The
    strength and conditioning stage notes are practice defaults. Splits are
    timed over the fly / hold zone when an item has one (strides: the 20 m
    hold; P3 build-ups: the 20-30 m at speed), else over the distance; each
    end of a distance range gets a split at the top and bottom target speed.
17. Scenario files are parsed strictly; see :mod:`progression.engine.scenarios`.
18. App-only extension: ``evaluate(..., strength_readings=[StrengthReading(...)])``
    adds LSI readings that came without a session (assessments). They are merged
    with the sessions' LSIs by date (sessions first on the same date, so a same-day
    assessment is "the most recent") and read by rule 4, rule 5 and ``min_lsi``.
19. App-only extension: ``evaluate(..., readings=[Reading(...)])`` adds readings
    that may also carry an H-test apprehension score or a technique score (a clinic
    assessment). The technique criterion and the apprehension criterion read the most
    recent score of sessions and readings merged by date; rule 9 reads the latest
    session's score unless a reading dated on or after that session's day is more
    recent (an H-test of 40 in an assessment holds a P4-P6 plan).
20. Late warning signs (``evaluate_late_warning``): a next-morning report or a
    correction for a session of an earlier stint is checked against rules 1 and 2
    alone, from the plan's current phase; if one fires, it decides (regress, refer as
    that rule says). Rule 3 needs adjacent sessions of one stint and is not checked late.
"""

from .evaluate import LATE_WARNING_RULES, evaluate, evaluate_late_warning
from .load import daily_loads, ewma_acwr, protocol_acwr, session_load, time_floor, time_floor_days
from .prescription import (
    DayPrescription,
    PrescriptionItem,
    Split,
    WeekPrescription,
    default_training_days,
    week_prescription,
)
from .protocol import (
    Criterion,
    ItemTemplate,
    LoadParams,
    Phase,
    Protocol,
    ProtocolError,
    RuleSpec,
    TimeFloor,
    default_protocol_data,
    load_default_protocol,
    protocol_from_dict,
    protocol_to_dict,
)
from .scenarios import Scenario, ScenarioDocument, ScenarioError, parse_scenario_document, run_scenarios
from .types import (
    Context,
    Decision,
    Outcome,
    Reading,
    Reason,
    Recommendation,
    SessionInput,
    StrengthReading,
    jsonable,
)

__all__ = [
    "Context",
    "Criterion",
    "DayPrescription",
    "Decision",
    "ItemTemplate",
    "LoadParams",
    "Outcome",
    "LATE_WARNING_RULES",
    "Phase",
    "PrescriptionItem",
    "Protocol",
    "ProtocolError",
    "Reading",
    "Reason",
    "Recommendation",
    "RuleSpec",
    "Scenario",
    "ScenarioDocument",
    "ScenarioError",
    "SessionInput",
    "Split",
    "StrengthReading",
    "TimeFloor",
    "WeekPrescription",
    "daily_loads",
    "default_protocol_data",
    "default_training_days",
    "evaluate",
    "evaluate_late_warning",
    "ewma_acwr",
    "jsonable",
    "load_default_protocol",
    "parse_scenario_document",
    "protocol_acwr",
    "protocol_from_dict",
    "protocol_to_dict",
    "run_scenarios",
    "session_load",
    "time_floor",
    "time_floor_days",
    "week_prescription",
]
