"""Judging a plan's sessions against a phase, for the projection (:mod:`.projection`): which sessions count
toward the phase's exit (clean), which wait for their next-morning report (pending), how many clean sessions end the
stint (banked), and the fewest sessions a phase's exit needs.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import replace

from .model import Phase, Protocol
from .types import SessionInput

__all__ = ["banked_sessions", "days_since_rts_floor", "phase_sessions_needed", "session_clean", "session_pending"]


# --------------------------------------------------------------------------- #


def _recent_checks(phase: Phase):
    return [c.check for c in phase.exit if c.kind == "recent_sessions"]


def session_clean(phase: Phase, session: SessionInput) -> bool:
    """Does the session count toward the phase's exit: no red flag, and within every per-session limit of the
    phase (``recent_sessions`` criteria: pain, next-morning soreness, a clinic's RPE...); a value not reported
    fails, as the exit criteria read it."""
    if session.red_flag:
        return False
    for chk in _recent_checks(phase):
        v = getattr(session, chk.attr)
        if v is None:
            return False
        if (v < chk.value) if chk.at_least else (v > chk.value):
            return False
    return True


def session_pending(phase: Phase, session: SessionInput, today: datetime.date) -> bool:
    """A session whose next-morning report is not due or just due (dated today or yesterday) and that is clean on
    everything else: it is counted as clean, provisionally."""
    if session.soreness_24h is not None or session.red_flag or (today - session.date).days > 1:
        return False
    return session_clean(phase, _with_soreness(session))


def _with_soreness(s: SessionInput) -> SessionInput:
    # a pending session is judged on what it has: its soreness is not known yet
    return replace(s, soreness_24h=0)


def banked_sessions(protocol: Protocol, phase: int, stint: Sequence[SessionInput], today: datetime.date) -> int:
    """Clean sessions at the end of the current stint (oldest first): the run the exit criteria will read (they
    read the last n sessions, so a session that does not count ends the run). A session still waiting for its
    next-morning report counts provisionally when it is clean on everything else."""
    ph = protocol.phase(phase)
    n = 0
    for s in reversed(stint):
        if session_clean(ph, s) or session_pending(ph, s, today):
            n += 1
        else:
            break
    return n


def phase_sessions_needed(phase: Phase) -> int:
    """The fewest sessions that can meet the phase's exit: ``min_sessions``, or more when another criterion
    counts sessions (full sessions, a field at a level) or reads more recent sessions."""
    need = phase.min_sessions
    for c in phase.exit:
        chk = c.check
        if c.kind == "stint_count" and getattr(chk, "per_session", False):
            need = max(need, math.ceil(c.value))
        elif c.kind == "recent_sessions" and chk.sessions:
            need = max(need, chk.sessions)
    return need


def days_since_rts_floor(phase: Phase) -> int | None:
    for c in phase.exit:
        chk = c.check
        if c.kind == "context_value" and chk.field.name == "days_since_rts" and chk.at_least:
            return math.ceil(c.value)
    return None
