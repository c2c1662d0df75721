"""One validator for the engine's data: protocol definitions and scenario files.

Both :func:`~progression.engine.protocol.protocol_from_dict` and
:func:`~progression.engine.scenarios.parse_scenario_document` read their data with these functions. Each raises
:class:`DataError` naming the path of the bad value (``phases[3].exit.min_lsi: must be from 0 to 200, got 500``);
the protocol reader turns it into a ``ProtocolError``, the scenario reader into a ``ScenarioError`` that also names
the scenario.

The ranges live here once: :data:`RANGES` for the numbers a protocol sets (thresholds, counts, days), and the
scales of the values an athlete's session and a plan's context carry (:mod:`progression.engine.fields` names them
per field). A number outside its range could never be met, or always would, which no clinician means; any other
number is at most :data:`MAX_NUMBER`, and every number must be finite.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = [
    "MAX_NUMBER",
    "MAX_PHASES",
    "RANGES",
    "DataError",
    "cite",
    "date",
    "flag",
    "got",
    "in_range",
    "integer",
    "keys",
    "number",
    "obj",
    "sequence",
    "span",
    "text",
]

MAX_NUMBER = 100_000
MAX_PHASES = 20  # a protocol has 1-20 phases, numbered 0-19

PAIN = (0, 10)  # pain and soreness scores, 0-10
LSI = (0, 200)  # limb symmetry index and its drops, %
PCT = (0, 120)  # % of maximal velocity, % of the pre-injury load
SCORE = (0, 100)  # technique %, H-test apprehension 0-100
RATIO = (0, 10)  # acute:chronic load ratio

#: The range of every number a protocol sets, inclusive, by parameter or criterion name.
RANGES: dict[str, tuple[int, int]] = {
    # rule parameters
    "pain_at_least": PAIN, "soreness_at_least": PAIN, "pain_min": PAIN, "pain_max": PAIN,
    "soreness_min": PAIN, "soreness_max": PAIN,
    "lsi_below": LSI, "drop_from_best": LSI, "below_entry": LSI,
    "hold_at": RATIO, "reduce_volume_at": RATIO, "drop_at_least": SCORE, "above": SCORE,
    "regress_phases": (1, 6), "consecutive": (2, 30),
    # exit criteria
    "min_sessions": (1, 50), "max_pain": PAIN, "max_soreness": PAIN, "min_lsi": LSI, "min_technique": SCORE,
    "min_peak_speed": PCT, "min_efforts_95": (0, 1000), "min_full_sessions": (0, 100),
    "max_apprehension": SCORE, "min_load_pct": PCT, "min_days_since_rts": (0, 365),
    # the rest: days, counts, prescriptions
    "lsi_window_days": (0, 365), "acute_n": (1, 90), "chronic_n": (1, 365), "min_days": (0, 365),
    "floor_days": (0, 730), "min_hours_between": (0, 168), "intensity_pct": PCT, "sets": (0, 50),
    "reps": (0, 500), "distance_m": (0, 10_000), "build_m": (0, 1000), "fly_m": (0, 1000), "rest_s": (0, 3600),
    "time_s": (0, 3600),
    # vocabulary options of a criterion
    "sessions": (1, 50), "window_days": (0, 365),
}


class DataError(ValueError):
    """A bad value in a protocol or scenario file. ``path`` names it; ``detail`` is the message alone."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.detail = message
        super().__init__(f"{path}: {message}" if path else message)


def got(v: Any) -> str:
    """A value as the error message shows it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, Mapping):
        return "an object"
    if isinstance(v, list | tuple):
        return "a list"
    return str(v)


def join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def obj(v: Any, path: str) -> Mapping:
    """An object (a JSON object read with duplicate detection refuses a key given twice)."""
    if not isinstance(v, Mapping):
        raise DataError(path, f"must be an object, got {got(v)}")
    duplicates = getattr(v, "duplicates", None)
    if duplicates:
        raise DataError(join(path, duplicates[0]), "key given twice")
    return v


def sequence(v: Any, path: str) -> list | tuple:
    if not isinstance(v, list | tuple):
        raise DataError(path, f"must be a list, got {got(v)}")
    return v


def keys(m: Mapping, path: str, required: tuple | set, optional: tuple | set = ()) -> None:
    """Every required key is there and no other key than the optional ones."""
    for k in required:
        if k not in m:
            raise DataError(join(path, k), "is required")
    allowed = set(required) | set(optional)
    for k in m:
        if k not in allowed:
            raise DataError(join(path, k), f"unknown key (allowed: {', '.join([*required, *optional])})")


def text(v: Any, path: str, *, optional: bool = False) -> str | None:
    if v is None and optional:
        return None
    if not isinstance(v, str) or not v.strip():
        raise DataError(path, f"must be a non-empty string, got {got(v)}")
    return v


def flag(v: Any, path: str, default: bool | None = None) -> bool:
    """``true`` / ``false``; ``null`` or absent is ``default`` when one is given."""
    if v is None and default is not None:
        return default
    if not isinstance(v, bool):
        raise DataError(path, f"must be true or false, got {got(v)}")
    return v


def _too_big(v: int, maximum) -> str:
    return f"must be {maximum} or less, got a number with {len(str(abs(v)))} digits"


def number(v: Any, path: str, *, optional: bool = False, minimum: Decimal | int | None = 0,
           maximum: Decimal | int | None = None) -> Decimal | None:
    """A finite number (never a boolean) as ``Decimal``, from ``minimum`` (default 0) to ``maximum``
    (default :data:`MAX_NUMBER`)."""
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise DataError(path, f"must be a number, got {got(v)}")
    if isinstance(v, int) and abs(v) > MAX_NUMBER:
        raise DataError(path, _too_big(v, MAX_NUMBER))
    d = Decimal(str(v))
    if not d.is_finite():
        raise DataError(path, f"must be a finite number, got {got(v)}")
    if minimum is not None and d < minimum:
        raise DataError(path, f"must be {minimum} or more, got {got(v)}")
    maximum = MAX_NUMBER if maximum is None else maximum
    if d > maximum:
        raise DataError(path, f"must be {maximum} or less, got {got(v)}")
    return d


def _integral(v: Any, strict: bool) -> int | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if strict or not isinstance(v, Decimal | float):
        return None
    d = Decimal(str(v))
    if d.is_finite() and abs(d) <= MAX_NUMBER and d == int(v):
        return int(v)
    return None


def integer(v: Any, path: str, *, optional: bool = False, minimum: int | None = 0, maximum: int | None = None,
            strict: bool = False) -> int | None:
    """An integer from ``minimum`` (default 0) to ``maximum`` (default :data:`MAX_NUMBER`). ``strict``: a JSON
    integer only (scenario files: ``3.0`` is not an integer); otherwise an integral number is accepted."""
    if v is None and optional:
        return None
    value = _integral(v, strict)
    if value is None:
        raise DataError(path, f"must be an integer, got {got(v)}")
    maximum = MAX_NUMBER if maximum is None else maximum
    if minimum is not None and value < minimum:
        raise DataError(path, f"must be {minimum} or more, got {value}")
    if value > maximum:
        raise DataError(path, f"must be {maximum} or less, got {value}" if abs(value) <= 10**12
                        else _too_big(value, maximum))
    return value


def in_range(value: Decimal | int, path: str, name_or_range: str | tuple) -> Decimal | int:
    """``value`` within ``RANGES[name]`` (or the given ``(lo, hi)``), inclusive."""
    lo, hi = RANGES[name_or_range] if isinstance(name_or_range, str) else name_or_range
    if not lo <= value <= hi:
        raise DataError(path, f"must be from {lo} to {hi}, got {value}")
    return value


def span(v: Any, path: str, *, optional: bool = True, name: str | None = None) -> tuple[Decimal, Decimal] | None:
    """A number, or ``{"min", "max"}`` (either may be left out); returns ``(min, max)``. With ``name``, both ends
    within ``RANGES[name]``."""
    if v is None and optional:
        return None
    if isinstance(v, Mapping):
        keys(v, path, (), ("min", "max"))
        lo = number(v.get("min"), f"{path}.min", optional=True)
        hi = number(v.get("max"), f"{path}.max", optional=True)
        if lo is None and hi is None:
            raise DataError(path, "needs min or max")
        lo = hi if lo is None else lo
        hi = lo if hi is None else hi
        if lo > hi:
            raise DataError(path, f"min {lo} is above max {hi}")
        result = (lo, hi)
    else:
        d = number(v, path)
        result = (d, d)
    if name is not None:
        for end, value in zip(("min", "max"), result, strict=True):
            in_range(value, f"{path}.{end}" if isinstance(v, Mapping) else path, name)
    return result


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date(v: Any, path: str) -> datetime.date:
    """An ISO date, ``YYYY-MM-DD``."""
    if isinstance(v, str) and _DATE_RE.match(v):
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            pass
    raise DataError(path, f"must be an ISO date YYYY-MM-DD, got {got(v)}")


def cite(ids: Any, note: Any, path: str, sources: Mapping[str, str]) -> str:
    """The citation text of ``source`` (one id or a list of ids of the protocol's ``sources``) and its
    ``source_note``: the sources' texts, then "Note: <note>."."""
    if isinstance(ids, str):
        ids = [ids]
    ids = sequence(ids, f"{path}.source")
    if not ids:
        raise DataError(f"{path}.source", "must name at least one source")
    texts = []
    for i, sid in enumerate(ids):
        if not isinstance(sid, str) or sid not in sources:
            raise DataError(f"{path}.source[{i}]", f"unknown source id {got(sid)}")
        texts.append(sources[sid])
    result = " ".join(texts)
    if note is not None:
        result = f"{result} Note: {text(note, f'{path}.source_note')}."
    return result
