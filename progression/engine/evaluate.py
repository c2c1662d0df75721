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

from .protocol import Protocol
from .rules import RULE_CHECKS, State
from .types import Context, Decision, Outcome, Reason, SessionInput, StrengthReading

__all__ = ["evaluate"]

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
) -> Decision:
    """Decide ADVANCE / HOLD / REGRESS for a plan in ``phase``.

    ``history`` is the current stint, oldest first (dates never decreasing);
    ``today`` is the day of the decision. ``strength_readings`` (app only) are
    LSI readings of the stint that came without a session (assessments); the
    strength rules and criteria read them together with the sessions' LSIs.
    """
    phases = protocol.phases
    if type(phase) is not int or phase < 0 or phase >= len(phases):
        raise ValueError(f"phase must be an integer 0-{len(phases) - 1}, got {phase!r}")
    if type(history) is not tuple:
        history = tuple(history)
    if context is None:
        context = _EMPTY_CONTEXT
    if strength_readings:
        strength_readings = tuple(strength_readings)
    st = State(protocol, phases[phase], history, today, context, strength_readings or ())
    reasons: list[Reason] = []
    verdict = None
    for rule in protocol.rules:
        verdict = RULE_CHECKS[rule.code](rule, st, reasons)
        if verdict is not None:
            break
    # the protocol validator guarantees the last rule is exit_criteria, which always decides
    outcome, to_phase, refer, decided_by, recs = verdict

    if outcome is _ADVANCE and context.review_pending:
        red = protocol.rule("red_flag")
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
