"""Load metrics (Foster sRPE, EWMA acute:chronic workload ratio) and soft time floors.

As PROTOCOL.md: session load = RPE x minutes; daily load = the sum of that
day's session loads, 0 on a day without a session; each EWMA starts from the
first day's load, or from the pre-injury baseline's daily mean when one is
given, then ``EWMA_t = lambda * load_t + (1 - lambda) * EWMA_(t-1)`` with
``lambda = 2 / (N + 1)`` for every day; the ratio is acute / chronic, undefined
(``None``) while chronic is 0, and ``None`` before ``min_days`` days of load
exist unless a baseline was given.

The window lengths default to the default protocol's data (7, 28, 21): pass
``acute_n`` / ``chronic_n`` / ``min_days`` from a clinic's protocol, or use
:func:`protocol_acwr`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Context as DecimalContext
from decimal import Decimal, localcontext

from .protocol import Protocol, load_default_protocol
from .types import to_decimal

__all__ = ["daily_loads", "ewma_acwr", "protocol_acwr", "session_load", "time_floor", "time_floor_days"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)


def session_load(rpe, minutes) -> Decimal | None:
    """Foster's session RPE load: RPE x minutes; ``None`` if either is missing."""
    if rpe is None or minutes is None:
        return None
    return to_decimal(rpe) * to_decimal(minutes)


def daily_loads(
    sessions: Iterable[tuple[datetime.date, Decimal]], start: datetime.date, end: datetime.date
) -> list[Decimal]:
    """Per-day sums of session loads from ``start`` to ``end`` inclusive; 0 on a day
    without a session. Sessions outside the range, or with no load, are ignored."""
    if end < start:
        return []
    n = (end - start).days + 1
    out = [_ZERO] * n
    for day, load in sessions:
        if load is None:
            continue
        i = (day - start).days
        if 0 <= i < n:
            out[i] = out[i] + to_decimal(load)
    return out


def ewma_acwr(
    loads: Sequence[Decimal],
    *,
    acute_n: int | None = None,
    chronic_n: int | None = None,
    baseline_daily: Decimal | None = None,
    min_days: int | None = None,
) -> Decimal | None:
    """EWMA acute:chronic workload ratio over daily ``loads`` (oldest first).

    ``None`` when there is no load, when fewer than ``min_days`` days of load
    exist and no ``baseline_daily`` was given, or while the chronic EWMA is 0.
    """
    if acute_n is None or chronic_n is None or min_days is None:
        ld = load_default_protocol().load
        acute_n = ld.acute_n if acute_n is None else acute_n
        chronic_n = ld.chronic_n if chronic_n is None else chronic_n
        min_days = ld.min_days if min_days is None else min_days
    if not loads:
        return None
    if baseline_daily is None and len(loads) < min_days:
        return None
    with localcontext(DecimalContext(prec=28)):
        la = _TWO / (acute_n + 1)
        lc = _TWO / (chronic_n + 1)
        vals = [to_decimal(x) for x in loads]
        start = to_decimal(baseline_daily) if baseline_daily is not None else vals[0]
        acute = chronic = start
        for x in vals:
            acute = la * x + (_ONE - la) * acute
            chronic = lc * x + (_ONE - lc) * chronic
        if chronic == 0:
            return None
        return acute / chronic


def protocol_acwr(
    protocol: Protocol, loads: Sequence[Decimal], *, baseline_daily: Decimal | None = None
) -> Decimal | None:
    """:func:`ewma_acwr` with the protocol's own window lengths."""
    ld = protocol.load
    return ewma_acwr(
        loads, acute_n=ld.acute_n, chronic_n=ld.chronic_n, baseline_daily=baseline_daily, min_days=ld.min_days
    )


def _check_grade_site(grade: int, site: str | None) -> None:
    if type(grade) is not int or not 0 <= grade <= 4:
        raise ValueError(f"grade must be a BAMIC grade 0-4, got {grade!r}")
    if site is not None and site not in ("a", "b", "c"):
        raise ValueError(f'site must be "a", "b", "c" or None, got {site!r}')


def time_floor(protocol: Protocol, *, grade: int, site: str | None):
    """The protocol's :class:`~progression.engine.protocol.TimeFloor` for a BAMIC
    grade (0-4) and site ("a", "b", "c" or None); the first matching floor in
    the data wins (the default file lists "any c" first). ``None`` if none matches."""
    _check_grade_site(grade, site)
    for fl in protocol.time_floors:
        if fl.site is not None and fl.site != site:
            continue
        if fl.grades is not None and grade not in fl.grades:
            continue
        return fl
    return None


def time_floor_days(protocol: Protocol, *, grade: int, site: str | None) -> int:
    """Soft floor in days before clearance: a clearance earlier than this is flagged,
    never blocked. Default protocol: 7 (grade 0-1), 14 (2a/2b), 21 (3a/3b),
    28 (any "c"), 28 (grade 4, practice default). 0 when no floor matches."""
    fl = time_floor(protocol, grade=grade, site=site)
    return fl.days if fl is not None else 0
