"""The one source of time and of "today" for the whole project.

Everything that asks what time it is calls `now()`; everything that asks for a day people recognise asks
`local_today(tz)` with the organisation's time zone (the athlete's local day, as PROTOCOL.md defines it).
Nothing else calls `timezone.now()` or `date.today()`.

The clock can be moved: `travel_to(moment)` fixes it (tests, the journey test's live server, a demo), `advance(...)`
moves a fixed clock on, `resume()` gives back the real one. The override is process-wide on purpose: a browser
test's live server runs in a thread of the test process and must see the same time as the test.
"""
from __future__ import annotations

import datetime
import threading
import zoneinfo
from contextlib import contextmanager

from django.utils import timezone

_lock = threading.Lock()
_fixed: datetime.datetime | None = None


def now() -> datetime.datetime:
    """The current moment, aware, in UTC (or the moment the clock was moved to)."""
    fixed = _fixed
    return fixed if fixed is not None else timezone.now()


def utc_today() -> datetime.date:
    """The UTC date: only a fallback for model defaults, which cannot know an organisation."""
    return now().astimezone(datetime.UTC).date()


def local_today(tz: zoneinfo.ZoneInfo | str, moment: datetime.datetime | None = None) -> datetime.date:
    """The local date in `tz` (a ZoneInfo or a name) at `moment` (default: now)."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    return (moment or now()).astimezone(tz).date()


def local_time(tz: zoneinfo.ZoneInfo | str, moment: datetime.datetime | None = None) -> datetime.datetime:
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    return (moment or now()).astimezone(tz)


def travel_to(moment: datetime.datetime) -> None:
    """Fix the clock at an aware moment."""
    global _fixed
    if timezone.is_naive(moment):
        raise ValueError("travel_to needs an aware datetime")
    with _lock:
        _fixed = moment


def advance(**delta) -> datetime.datetime:
    """Move a fixed clock on by a timedelta's keywords (days=1, hours=10, ...)."""
    global _fixed
    with _lock:
        if _fixed is None:
            raise RuntimeError("advance() needs a fixed clock: call travel_to() first")
        _fixed = _fixed + datetime.timedelta(**delta)
        return _fixed


def resume() -> None:
    """Back to the real clock."""
    global _fixed
    with _lock:
        _fixed = None


def is_fixed() -> bool:
    return _fixed is not None


@contextmanager
def frozen(moment: datetime.datetime):
    """`with frozen(moment):` the clock stands at `moment` (and may be advanced) inside the block."""
    global _fixed
    previous = _fixed
    travel_to(moment)
    try:
        yield
    finally:
        with _lock:
            _fixed = previous
