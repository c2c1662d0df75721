"""Builders for the engine tests: clean stints per phase, and the spec's numbers.

The numbers in SPEC are typed in from PROTOCOL.md's phase table, not read from
the protocol JSON, so the tests check the data file against the text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from progression.engine import Context, Decision, SessionInput, evaluate, load_default_protocol

PROTOCOL = load_default_protocol()
TODAY = datetime.date(2026, 3, 20)
PHASES = tuple(range(7))
D = Decimal

# PROTOCOL.md, "Phases": exit criteria per phase
SPEC = {
    0: {"n": 2, "pain": 2, "sore": 2, "lsi": None, "tech": None},
    1: {"n": 2, "pain": 2, "sore": 2, "lsi": D(80), "tech": D(75)},
    2: {"n": 2, "pain": 2, "sore": 2, "lsi": D(85), "tech": D(75)},
    3: {"n": 2, "pain": 1, "sore": 2, "lsi": D(90), "tech": D(75), "peak_latest": D(85)},
    4: {"n": 2, "pain": 0, "sore": 1, "lsi": D(90), "tech": D(58), "efforts": 3},
    5: {
        "n": 2,
        "pain": 0,
        "sore": 1,
        "lsi": D(90),
        "tech": D(58),
        "full": 2,
        "peak_best": D(95),
        "load_pct": D(90),
    },
    6: {"n": 4, "pain": 0, "sore": 1, "lsi": D(90), "tech": None, "peak_best": D(95), "days": 28},
}
# the phase's entry level = previous phase's LSI exit threshold (rule 4)
ENTRY = {0: None, 1: None, 2: D(80), 3: D(85), 4: D(90), 5: D(90), 6: D(90)}


def day(offset: int) -> datetime.date:
    """The date ``offset`` days before TODAY."""
    return TODAY - datetime.timedelta(days=offset)


def session(offset: int, **kw) -> SessionInput:
    base = {"pain_during": 0, "soreness_24h": 0, "rpe": D(5), "minutes": D(40)}
    base.update(kw)
    return SessionInput(date=day(offset), **base)


def clean_kwargs(phase: int, latest: bool) -> dict:
    """Fields of a clean session that meets every exit criterion of ``phase``."""
    kw: dict = {}
    if latest:
        if phase >= 1:
            kw["strength_lsi"] = D(100)
        if 1 <= phase <= 5:
            kw["technique"] = D(100)
        if phase >= 3:
            kw["peak_speed_pct"] = D(100)
        if phase == 4:
            kw["efforts_95"] = 3
        if phase == 5:
            kw["apprehension"] = D(0)
    if phase == 5:
        kw["full_session"] = True
    return kw


def clean_stint(
    phase: int, n: int | None = None, latest: dict | None = None, first: dict | None = None
) -> list[SessionInput]:
    """``n`` clean sessions (default: the phase's minimum), two days apart, the latest
    yesterday; ``latest`` / ``first`` override fields of the latest / first session."""
    n = SPEC[phase]["n"] if n is None else n
    out = []
    for i in range(n):
        is_latest = i == n - 1
        kw = clean_kwargs(phase, is_latest)
        if is_latest and latest:
            kw.update(latest)
        if i == 0 and first:
            kw.update(first)
        out.append(session(1 + 2 * (n - 1 - i), **kw))
    return out


def clean_context(phase: int, **kw) -> Context:
    base = {"days_since_rts": 28} if phase == 6 else {}
    base.update(kw)
    return Context(**base)


def decide(
    phase: int, history, context: Context | None = None, today: datetime.date = TODAY, protocol=None
) -> Decision:
    return evaluate(
        protocol or PROTOCOL,
        phase=phase,
        history=history,
        today=today,
        context=context if context is not None else clean_context(phase),
    )


def reason(decision: Decision, code: str):
    for r in decision.reasons:
        if r.code == code:
            return r
    return None


def regress_target(phase: int) -> int:
    return max(0, phase - 1)


def advance_target(phase: int) -> int | None:
    return phase + 1 if phase < 6 else None
