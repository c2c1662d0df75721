"""The progression engine: pure Python (standard library only), data in, decision out.

It imports nothing from Django or the project's apps. The default protocol is
data (``progression/protocols/hamstring-rts.json``); every threshold, exit
criterion and citation comes from the protocol dict, so a clinic's copy can
change any number, and a clinic can write a protocol of another shape. Numbers
are compared in decimal arithmetic.

Modules: ``protocol`` (``protocol_from_dict``; the section validators in
``sections``, ``rules``, ``criteria``; one validator, ``validation``, shared with
``scenarios``), ``model`` (the parsed protocol), ``checks/`` (the vocabulary),
``reasons`` (how a reason is written), ``fields`` (what the checks can read),
``evaluate``, ``load``, ``prescription``, ``days``, ``types``, ``projection`` (the projected return-to-sport
date: ``project_return``; "return to sport" is the advance out of the clearance phase, see its docstring),
``phase_sessions`` (which sessions count toward a phase's exit, how many it needs).

The shape of a protocol
-----------------------
1-20 phases, numbered 0, 1, 2... in order. Advancing from the last phase is
discharge (the plan is complete: ``Decision.to_phase`` is ``None``). The phase
marked ``"clearance": true`` is the one whose advance is return-to-sport
clearance (at most one; a definition where no phase carries the key, as every
one written before it, has the phase before the last: P5 of seven). A phase
marked ``sign_off_to_advance`` waits for a clinician's sign-off to advance; one
marked ``refer_on_regress`` refers on any regression. The parsed protocol says
it all: ``protocol.clearance_phase`` (an int or ``None``), ``protocol.last_phase``,
``protocol.after_clearance(n)``, ``protocol.sign_off_phases``; per phase
``phase.is_clearance``, ``phase.is_last``, ``phase.after_clearance``,
``phase.sign_off_to_advance``, ``phase.refer_on_regress``, ``phase.exit``.

The rule vocabulary
-------------------
Every rule and every exit criterion is one check of a small vocabulary, bound
when the protocol is parsed to the numbers the protocol gives it. Each kind
writes its reason one way (``Check.reason``; status "fired"/"clear" for a rule,
"met"/"not_met"/"not_applicable" for a criterion); the values of the reason
name what was read and the thresholds. Rules run in the protocol's order, the
first that decides wins; a regression goes ``regress_phases`` back, never below
Phase 0, and refers when the phase is marked ``refer_on_regress``.

Rules (``rules: [{code, number, title, source, <parameters>}]``; the ten
built-in codes name their kind, a clinic's own code names it in ``check``):

``warning_sign`` (rule 1, ``red_flag``): ``pain_at_least``, ``soreness_at_least``,
    ``to_phase``, ``refer``. Reads every session of the stint: a red flag, or pain
    / next-morning soreness at the levels -> regress to ``to_phase`` (never
    forward), refer if ``refer``. "Red flag on <date>: <what>, ... Back to Phase
    0 and refer to the clinician; ..." / "No red flag reported, and no pain or
    soreness of 7 or more, in the stint's 2 sessions."
``any_session`` (rule 2, ``pain_or_soreness_5``): ``pain_at_least``,
    ``soreness_at_least``, ``regress_phases``. Every session: pain or soreness at
    the levels -> regress. "Pain 5 during the session on <date> (pain or soreness
    of 5 or more is beyond what is tolerated). Back to Phase 1."
``consecutive`` (rule 3, ``soreness_consecutive``): ``soreness_at_least``,
    ``consecutive``, ``regress_phases``. Next-morning soreness at the level on k
    adjacent sessions (a lower score or no report breaks the run) -> regress.
    "Next-morning soreness 3 on <date> and 3 on <date>: two sessions in a row at
    3 or more; soreness is not settling overnight. Back to Phase 2."
``drop`` (rule 4, ``strength_falling``): ``lsi_below``, ``drop_from_best``,
    ``below_entry``, ``regress_phases``. Every LSI of the stint (sessions and
    assessments): below ``lsi_below`` and ``drop_from_best`` under the best earlier
    reading of the same method, or ``below_entry`` under the phase's entry level
    (the previous phase's ``min_lsi``) -> regress, recommend a retest. Lists every
    finding: "LSI 88.5 on <date> is 10.5 points below the best earlier reading of
    the same test, 99 on <date> (10 or more down, and below 100): strength is
    falling. Back to Phase 3. Retest strength."
``missing_data`` (rule 5): no parameters. The latest session: no next-morning
    report, or the phase has a ``min_lsi`` and no LSI within the protocol's
    ``measurement.lsi_window_days`` -> hold; an empty stint holds. "No
    next-morning soreness report yet for the latest session (<date>). Never
    advance on missing data."
``latest_band`` (rule 6, ``pain_or_soreness_3_4``): ``pain_min``, ``pain_max``,
    ``soreness_min``, ``soreness_max``. The latest session's pain or soreness
    within its band -> hold. "Pain 3 during the latest session (<date>): 3-4 is
    tolerated, not a basis for progression."
``context_level`` (rule 7, ``load_spike``): ``hold_at``, ``reduce_volume_at``.
    The context's EWMA ACWR at ``hold_at`` or more -> hold, at ``reduce_volume_at``
    also recommend less volume; not computed: clear. "Workload ratio (EWMA ACWR)
    1.6, at or above 1.5: a load spike, hold (never a regression)."
``difference`` (rule 8, ``technique_fatigue``): ``drop_at_least``. A difference
    of two scores of the latest session, technique on the first reps minus on the
    last, at the level -> hold, recommend capping the reps; needs both. "Technique
    83.3 on the first reps and 58.3 on the last (<date>): a drop of 25 points, 25
    or more. Technique breaks down under fatigue."
``latest_above`` (rule 9, ``apprehension``): ``from_phase``, ``above``. From
    ``from_phase`` on, the latest H-test score (the latest session's, or an
    assessment's dated on or after it) above ``above`` -> hold; before
    ``from_phase`` listed as clear. "Apprehension 5 on the H-test in the latest
    session (<date>); from Phase 4 on it must not be above 0."
``exit_criteria`` (rule 10, last): every criterion of the phase met -> advance
    (from the last phase: discharge; from a ``sign_off_to_advance`` phase with a
    ``clinician_sign_off`` recommendation), else hold naming every criterion not
    met; ``decided_by`` is then the first of them. "All 5 exit criteria of Phase
    1 met: advance to Phase 2." / "Hold in Phase 3: 1 of 6 exit criteria not met
    (Strength LSI)."

A rule may say ``late_warning`` (default: true for ``warning_sign`` and
``any_session``, the kinds that read each session on its own; no other kind can).

Exit criteria (``criteria: {code: {title, source, check?}}``; a phase's ``exit:
{code: value | {value, title?, source?, <options>}}``). Fields a check reads are
those of :mod:`.fields`: a session's ``pain_during``, ``soreness_24h``,
``strength_lsi``, ``technique``, ``technique_fresh``, ``technique_fatigued``,
``rpe``, ``minutes``, ``peak_speed_pct``, ``efforts_95``, ``full_session``,
``red_flag``, ``apprehension``; the context's ``acwr``, ``load_pct``,
``days_since_rts``. A threshold is within the field's scale.

``recent_sessions`` (a threshold over the last n sessions): ``field``,
    ``compare`` (min|max), ``sessions`` (n; default the phase's ``min_sessions``).
    Each of the last n sessions has the field reported and within the threshold.
    Built in: ``max_pain``, ``max_soreness``. "Pain during the last 2 sessions: 0
    (<date>), 1 (<date>); each must be 2 or less."
``stint_count`` (a count over the stint): ``field`` (none: the sessions; a flag:
    the sessions with it; a number: its sum), ``at_least`` (count the sessions
    with the field at or above it); at least the threshold. Built in:
    ``min_sessions`` (which also sets n above; every phase has it),
    ``min_efforts_95``, ``min_full_sessions``. "3 efforts at 95% or more of
    maximal velocity in this phase; 3 or more needed."
``reading`` (the latest / best / most recent reading within a window): ``field``,
    ``compare``, ``scope`` (``latest``: the latest session's value; ``best``: the
    highest of the stint; ``most_recent``: sessions and, for LSI, technique and
    H-test, assessments merged by date), ``window_days`` (most recent within so
    many days before the decision), ``required`` (no reading: not met; else met).
    Built in: ``min_lsi`` (most recent within the LSI window), ``min_technique``,
    ``min_peak_speed`` (``scope`` latest|best), ``max_apprehension``
    (``required``). "Strength LSI 92 on <date> (the most recent within 7 days); 90
    or more needed."
``context_value`` (a value the plan knows): ``field`` (``load_pct``,
    ``days_since_rts``, ``acwr``), ``compare``, ``missing`` (not_met |
    not_applicable). Built in: ``min_load_pct`` (no baseline: not applicable),
    ``min_days_since_rts``. "Load 92% of the pre-injury baseline; 90% or more
    needed."

A clinic's own criterion is written in the same words: ``"max_rpe": {"title":
"Session RPE", "source": ["practice_default"], "check": {"kind":
"recent_sessions", "field": "rpe", "compare": "max"}}`` and, in a phase, ``"max_rpe":
6``. Its reason is worded from its field ("Session RPE in the last 2 sessions: 5
(<date>), 6 (<date>); each must be reported and 6 or less.").

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
    correction for a session of an earlier stint is checked against the protocol's
    ``late_warning_rules`` alone (rules 1 and 2 of the default: the rules of kind
    ``warning_sign`` and ``any_session``, unless the data says otherwise), from the plan's
    current phase; if one fires, it decides (regress, refer as that rule says). Rule 3
    needs adjacent sessions of one stint and is not checked late.
"""

from .evaluate import LATE_WARNING_RULES, evaluate, evaluate_late_warning
from .fields import CONTEXT_FIELDS, SESSION_FIELDS
from .load import daily_loads, ewma_acwr, protocol_acwr, session_load, time_floor, time_floor_days
from .prescription import (
    DayPrescription,
    PrescriptionItem,
    Split,
    WeekPrescription,
    default_training_days,
    week_prescription,
)
from .projection import History, PlanState, Projection, banked_sessions, project_return, session_clean
from .protocol import (
    MAX_NUMBER,
    RANGES,
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
from .reasons import fmt
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
    "CONTEXT_FIELDS",
    "MAX_NUMBER",
    "RANGES",
    "SESSION_FIELDS",
    "Context",
    "Criterion",
    "DayPrescription",
    "Decision",
    "ItemTemplate",
    "LoadParams",
    "Outcome",
    "LATE_WARNING_RULES",
    "Phase",
    "PlanState",
    "History",
    "Projection",
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
    "banked_sessions",
    "daily_loads",
    "default_protocol_data",
    "default_training_days",
    "evaluate",
    "evaluate_late_warning",
    "ewma_acwr",
    "fmt",
    "jsonable",
    "load_default_protocol",
    "parse_scenario_document",
    "project_return",
    "protocol_acwr",
    "protocol_from_dict",
    "protocol_to_dict",
    "run_scenarios",
    "session_clean",
    "session_load",
    "time_floor",
    "time_floor_days",
    "week_prescription",
]
