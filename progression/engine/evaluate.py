"""``evaluate()``: one decision for a plan in a phase, from the sessions of its stint.

The rules are checked in the protocol's order; the first that decides wins.
The explanation lists every rule checked up to the deciding one (fired/clear)
and, when rule 10 decides, every exit criterion of the phase.

App-only gate: ``Context.review_pending`` (a red flag awaiting a clinician's
review) turns an ADVANCE into a HOLD with an extra reason of kind "gate",
code "review_pending". Regressions and holds are unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from .checks import State
from .model import Protocol
from .types import Context, Decision, Outcome, Reading, Reason, SessionInput, StrengthReading

__all__ = ["LATE_WARNING_RULES", "evaluate", "evaluate_late_warning"]

_EMPTY_CONTEXT = Context()
_ADVANCE = Outcome.ADVANCE
_HOLD = Outcome.HOLD


def evaluate(
    protocol: Protocol,
    *,
    phase: int,
    history: Sequence[SessionInput],
    today: datetime.date,
    context: Context = _EMPTY_CONTEXT,
    strength_readings: Sequence[StrengthReading] = (),
    readings: Sequence[Reading] = (),
) -> Decision:
    """Decide ADVANCE / HOLD / REGRESS for a plan in ``phase``.

    ``history`` is the current stint, oldest first (dates never decreasing);
    ``today`` is the day of the decision. ``strength_readings`` (app only) are
    LSI readings of the stint that came without a session (assessments); the
    strength rules and criteria read them together with the sessions' LSIs.
    ``readings`` (app only) are :class:`Reading` objects that may also carry an
    apprehension or a technique score; both kinds are merged by date.
    """
    phases = protocol.phases
    if type(phase) is not int or phase < 0 or phase >= len(phases):
        raise ValueError(f"phase must be an integer 0-{len(phases) - 1}, got {phase!r}")
    if type(history) is not tuple:
        history = tuple(history)
    if context is None:
        context = _EMPTY_CONTEXT
    extra = tuple(strength_readings or ()) + tuple(readings or ())
    st = State(protocol, phases[phase], history, today, context, extra)
    reasons: list[Reason] = []
    verdict = None
    for check in protocol.rule_checks:  # the rules' bound checks, in the protocol's order
        verdict = check(st, reasons)
        if verdict is not None:
            break
    # the protocol validator guarantees the last rule is exit_criteria, which always decides
    outcome, to_phase, refer, decided_by, recs = verdict

    if outcome is _ADVANCE and context.review_pending:
        red = next((r for r in protocol.rules if r.kind == "warning_sign"), None)  # the red-flag rule
        reasons.append(
            Reason(
                "review_pending",
                "gate",
                None,
                "Clinician review pending",
                "fired",
                "A red flag is waiting for a clinician's review: the plan makes no further progress until a "
                f"clinician has reviewed it, so it holds in Phase {phase} although the exit criteria are met.",
                {"review_pending": True, "would_advance_to": to_phase},
                red.source if red is not None else "",
            )
        )
        outcome, to_phase, decided_by, recs = _HOLD, phase, "review_pending", ()

    return Decision(
        outcome,
        phase,
        to_phase,
        refer,
        decided_by,
        tuple(reasons),
        recs,
        protocol.slug,
        protocol.version,
    )


#: The default protocol's rules a late warning sign is checked against (PROTOCOL.md, "The stint": rule 1 or
#: rule 2). A protocol says which of its own rules are, in data: ``Protocol.late_warning_rules``.
LATE_WARNING_RULES = ("red_flag", "pain_or_soreness_5")


def evaluate_late_warning(
    protocol: Protocol,
    *,
    phase: int,
    session: SessionInput,
    today: datetime.date,
) -> Decision | None:
    """A warning sign that arrived late for a session of an earlier stint (a next-morning report, a correction).

    PROTOCOL.md, "The stint": evidence that meets rule 1 or rule 2 "still regresses, refers and alerts: it is
    never lost because the stint moved on". This checks the protocol's ``late_warning_rules`` (rules 1 and 2 of
    the default) on ``session`` alone, from the plan's current ``phase``; ``None`` when none fires (the late evidence changes nothing else: the current stint
    does not contain it). The regression, the referral and the reasons are those of the rule that fired.
    """
    phases = protocol.phases
    if type(phase) is not int or phase < 0 or phase >= len(phases):
        raise ValueError(f"phase must be an integer 0-{len(phases) - 1}, got {phase!r}")
    st = State(protocol, phases[phase], (session,), today, _EMPTY_CONTEXT, ())
    reasons: list[Reason] = []
    for rule in protocol.late_warning_rules:
        verdict = rule.check(st, reasons)  # (rare: no need for the bound method)
        if verdict is not None:
            outcome, to_phase, refer, decided_by, recs = verdict
            return Decision(outcome, phase, to_phase, refer, decided_by, tuple(reasons), recs, protocol.slug,
                            protocol.version)
    return None
