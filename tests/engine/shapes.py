"""Builders for protocols of any shape: a stint that meets every exit criterion of a phase, read from the phase's
own criteria (their kind of check, field and threshold), not from the default protocol's numbers."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from progression.engine import Context, SessionInput, protocol_from_dict

from .builders import TODAY

D = Decimal
PROTOCOLS_DIR = Path(__file__).resolve().parent / "protocols"


def load_protocol(name: str):
    return protocol_from_dict(json.loads((PROTOCOLS_DIR / name).read_text(encoding="utf-8"), parse_float=Decimal))


def _ceil(x) -> int:
    return int(-(-D(x) // 1))


def _passing(c) -> Decimal:
    """A value that meets criterion ``c`` on its own: the threshold (at least / at most)."""
    return c.value


def _stint_length(phase) -> int:
    n = phase.min_sessions
    for c in phase.exit:
        check = c.check
        if c.kind == "recent_sessions" and check.sessions:
            n = max(n, check.sessions)
        if c.kind == "stint_count" and c.code not in ("min_sessions", "min_efforts_95", "min_total_minutes"):
            n = max(n, int(c.value))  # sessions that must each count
    return n


def _session_fields(phase, n: int) -> list[dict]:
    base = [{"pain_during": 0, "soreness_24h": 0, "rpe": D(3), "minutes": D(40)} for _ in range(n)]
    latest = base[-1]
    for c in phase.exit:
        check = c.check
        if c.kind == "recent_sessions":
            for s in base[-(check.sessions or phase.min_sessions):]:
                s[check.attr] = max(D(0), _passing(c)) if check.at_least else min(s.get(check.attr, c.value), c.value)
        elif c.kind == "reading":
            value = _passing(c) if check.at_least else D(0)
            if check.at_least:
                value = max(value, latest.get(check.attr) or D(0))
            latest[check.attr] = value
    return base


def _counts(phase, sessions: list[dict]) -> None:
    """Make every count over the stint reach its threshold."""
    for c in phase.exit:
        if c.kind != "stint_count" or c.code == "min_sessions":
            continue
        attr = c.check.count
        need = int(c.value)
        if c.code == "min_efforts_95":
            sessions[-1]["efforts_95"] = need
        elif c.code == "min_full_sessions":
            for s in sessions[-need:] if need else []:
                s["full_session"] = True
        else:  # a clinic's own count: read what it counts from its spec in the protocol's catalogue
            _own_count(c, sessions, need, attr)


def _own_count(c, sessions, need, counter) -> None:
    field = c.check.key
    if field == "minutes":
        for s in sessions:
            s["minutes"] = max(s["minutes"], D(_ceil(D(need) / len(sessions))))
    elif field == "peak_speed_pct":
        for s in sessions[-need:]:
            s["peak_speed_pct"] = max(s.get("peak_speed_pct") or D(0), D(100))
    assert counter([SessionInput(date=TODAY, **s) for s in sessions]) >= need, c.code


def _context(protocol, phase) -> dict:
    ctx = {}
    for c in phase.exit:
        if c.kind == "context_value":
            ctx[c.check.field.name] = c.value
    if phase.after_clearance and "days_since_rts" not in ctx:
        ctx["days_since_rts"] = 60
    return ctx


def meeting_stint(protocol, number: int, **latest) -> tuple[list[SessionInput], Context]:
    """Sessions two days apart, the latest yesterday, that meet every exit criterion of phase ``number`` (and
    fire no rule), and the context that goes with them; ``latest`` overrides fields of the latest session."""
    phase = protocol.phase(number)
    n = _stint_length(phase)
    sessions = _session_fields(phase, n)
    _counts(phase, sessions)
    lsi = max([s.get("strength_lsi") or D(0) for s in sessions] + [phase.entry_lsi or D(0)])
    if lsi:
        for s in sessions:  # the same LSI on every session: never a drop
            s["strength_lsi"] = lsi
    if any(r.kind == "latest_above" and number >= r.params["from_phase"] for r in protocol.rules):
        sessions[-1].setdefault("apprehension", D(0))
    sessions[-1].update(latest)
    history = [SessionInput(date=TODAY - datetime.timedelta(days=1 + 2 * (n - 1 - i)), **s)
               for i, s in enumerate(sessions)]
    return history, Context(**_context(protocol, phase))
