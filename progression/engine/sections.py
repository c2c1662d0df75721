"""The protocol validator, one small function per section of the dict. Each raises
:class:`~.validation.DataError` naming the path of the first bad value (``phases[3].exit.min_lsi: ...``).

Rules and criteria have their own modules (:mod:`.rules`, :mod:`.criteria`): they know the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .criteria import CatalogueEntry, Criterion, parse_exit
from .days import spacing_problems
from .model import ItemTemplate, LoadParams, TimeFloor
from .validation import (
    MAX_PHASES,
    DataError,
    cite,
    flag,
    got,
    in_range,
    integer,
    keys,
    number,
    obj,
    sequence,
    span,
    text,
)

__all__ = ["header", "load", "measurement", "phase_fields", "sources", "time_floors"]

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOP_REQUIRED = ("slug", "version", "name", "sources", "measurement", "load", "time_floors", "criteria", "rules",
                 "phases")
_BLOCKS = ("sprint", "drill", "strength", "plyometric", "conditioning")
_PHASE_REQUIRED = ("number", "name", "focus", "description", "sessions_per_week", "items", "exit")
_PHASE_OPTIONAL = ("intensity_pct", "min_hours_between", "spacing_note", "default_days", "refer_on_regress",
                   "sign_off_to_advance", "sign_off_note", "clearance")
_ITEM_OPTIONAL = ("description", "sets", "reps", "distance_m", "build_m", "fly_m", "intensity_pct", "rest_s",
                  "time_s", "notes", "load", "progression", "clinician_note", "sessions")
_SPANS = ("sets", "reps", "distance_m", "build_m", "fly_m", "intensity_pct", "rest_s", "time_s")


def header(data: Any) -> tuple[Mapping, str, int, str, str]:
    """The top level: (data, slug, version, name, description)."""
    data = obj(data, "")
    keys(data, "", _TOP_REQUIRED, ("description", "notes"))
    slug = text(data["slug"], "slug")
    if not _SLUG_RE.match(slug):
        raise DataError("slug", f"must be lower-case letters, digits, '-' or '_', got {got(slug)}")
    version = integer(data["version"], "version", minimum=1)
    name = text(data["name"], "name")
    description = text(data.get("description"), "description", optional=True) or ""
    text(data.get("notes"), "notes", optional=True)
    return data, slug, version, name, description


def sources(raw: Any) -> dict[str, str]:
    result = {}
    for sid, citation in obj(raw, "sources").items():
        if not isinstance(sid, str) or not sid:
            raise DataError("sources", f"source ids must be non-empty strings, got {got(sid)}")
        result[sid] = text(citation, f"sources.{sid}")
    return result


def measurement(raw: Any, srcs: Mapping[str, str]) -> tuple[int, str]:
    """(LSI window in days, its citation)."""
    m = obj(raw, "measurement")
    keys(m, "measurement", ("lsi_window_days", "source"), ("source_note",))
    window = in_range(integer(m["lsi_window_days"], "measurement.lsi_window_days"), "measurement.lsi_window_days",
                      "lsi_window_days")
    return window, cite(m["source"], m.get("source_note"), "measurement", srcs)


def load(raw: Any, srcs: Mapping[str, str]) -> LoadParams:
    m = obj(raw, "load")
    keys(m, "load", ("acute_n", "chronic_n", "min_days", "source"), ("source_note",))

    def count(name: str, minimum: int) -> int:
        return in_range(integer(m[name], f"load.{name}", minimum=minimum), f"load.{name}", name)

    return LoadParams(acute_n=count("acute_n", 1), chronic_n=count("chronic_n", 1), min_days=count("min_days", 0),
                      source=cite(m["source"], m.get("source_note"), "load", srcs))


def time_floors(raw: Any, srcs: Mapping[str, str]) -> tuple[tuple[TimeFloor, ...], str]:
    """(the soft floors, their citation)."""
    m = obj(raw, "time_floors")
    keys(m, "time_floors", ("source", "floors"), ("source_note",))
    source = cite(m["source"], m.get("source_note"), "time_floors", srcs)
    floors = tuple(_floor(fl, f"time_floors.floors[{i}]")
                   for i, fl in enumerate(sequence(m["floors"], "time_floors.floors")))
    return floors, source


def _floor(raw: Any, path: str) -> TimeFloor:
    fl = obj(raw, path)
    keys(fl, path, ("days",), ("grades", "site", "note"))
    grades = None
    if fl.get("grades") is not None:
        grades = tuple(integer(g, f"{path}.grades[{j}]", minimum=0, maximum=4)
                       for j, g in enumerate(sequence(fl["grades"], f"{path}.grades")))
    site = fl.get("site")
    if site is not None and site not in ("a", "b", "c"):
        raise DataError(f"{path}.site", f'must be "a", "b" or "c", got {got(site)}')
    if grades is None and site is None:
        raise DataError(path, "needs grades or site")
    return TimeFloor(days=in_range(integer(fl["days"], f"{path}.days"), f"{path}.days", "floor_days"),
                     grades=grades, site=site, note=text(fl.get("note"), f"{path}.note", optional=True))


def phase_list(raw: Any) -> list | tuple:
    phases = sequence(raw, "phases")
    if not phases:
        raise DataError("phases", "must have at least one phase")
    if len(phases) > MAX_PHASES:
        raise DataError("phases", f"must have at most {MAX_PHASES} phases, got {len(phases)}")
    return phases


# --------------------------------------------------------------------------- #
# One phase
# --------------------------------------------------------------------------- #


def phase_fields(raw: Any, i: int, catalogue: Mapping[str, CatalogueEntry], srcs: Mapping[str, str],
                 lsi_window: int) -> dict:
    """The fields of ``phases[i]`` for :class:`~.model.Phase` (without the entry level and the flags that need
    the whole protocol: those the caller adds)."""
    p = f"phases[{i}]"
    ph = obj(raw, p)
    keys(ph, p, _PHASE_REQUIRED, _PHASE_OPTIONAL)
    number_ = integer(ph["number"], f"{p}.number")
    if number_ != i:
        raise DataError(f"{p}.number", f"must be {i} (phases are numbered 0, 1, 2... in order), got {number_}")
    imin, imax = _intensity(ph.get("intensity_pct"), f"{p}.intensity_pct")
    spw_min, spw_max = _sessions_per_week(ph["sessions_per_week"], f"{p}.sessions_per_week")
    min_hours = integer(ph.get("min_hours_between"), f"{p}.min_hours_between", optional=True)
    if min_hours is not None:
        in_range(min_hours, f"{p}.min_hours_between", "min_hours_between")
    default_days = _default_days(ph.get("default_days"), f"{p}.default_days", spw_min, spw_max, min_hours)
    items = tuple(_item(it, f"{p}.items[{j}]") for j, it in enumerate(sequence(ph["items"], f"{p}.items")))
    criteria = parse_exit(ph["exit"], f"{p}.exit", catalogue, srcs, lsi_window)
    return dict(
        number=number_, name=text(ph["name"], f"{p}.name"), focus=text(ph["focus"], f"{p}.focus"),
        description=text(ph["description"], f"{p}.description"), intensity_pct_min=imin, intensity_pct_max=imax,
        sessions_per_week_min=spw_min, sessions_per_week_max=spw_max, min_hours_between=min_hours,
        spacing_note=text(ph.get("spacing_note"), f"{p}.spacing_note", optional=True), default_days=default_days,
        refer_on_regress=flag(ph.get("refer_on_regress"), f"{p}.refer_on_regress", default=False),
        sign_off_to_advance=flag(ph.get("sign_off_to_advance"), f"{p}.sign_off_to_advance", default=False),
        sign_off_note=text(ph.get("sign_off_note"), f"{p}.sign_off_note", optional=True), items=items,
        exit=criteria, min_sessions=_min_sessions(criteria, f"{p}.exit.min_sessions"),
        lsi_threshold=_lsi_threshold(criteria),
    )


def clearance_flag(raw: Any, i: int) -> bool | None:
    """``phases[i].clearance``: True / False, or None when the phase does not say."""
    value = raw.get("clearance") if isinstance(raw, Mapping) else None
    return None if value is None else flag(value, f"phases[{i}].clearance")


def _intensity(v: Any, path: str) -> tuple[Decimal | None, Decimal | None]:
    intensity = span(v, path, name="intensity_pct")
    if isinstance(v, Mapping):  # a missing end stays None here (an open range)
        return (number(v.get("min"), f"{path}.min", optional=True),
                number(v.get("max"), f"{path}.max", optional=True))
    return intensity if intensity is not None else (None, None)


def _sessions_per_week(v: Any, path: str) -> tuple[int, int]:
    spw = obj(v, path)
    keys(spw, path, ("min", "max"))
    lo = integer(spw["min"], f"{path}.min", minimum=1, maximum=7)
    hi = integer(spw["max"], f"{path}.max", minimum=1, maximum=7)
    if lo > hi:
        raise DataError(path, f"min {lo} is above max {hi}")
    return lo, hi


def _default_days(v: Any, path: str, spw_min: int, spw_max: int, min_hours: int | None) -> tuple[int, ...] | None:
    if v is None:
        return None
    days = tuple(integer(d, f"{path}[{j}]", minimum=1, maximum=7) for j, d in enumerate(sequence(v, path)))
    if len(set(days)) != len(days):
        raise DataError(path, "has a day twice")
    if list(days) != sorted(days):
        raise DataError(path, "must be in weekday order")
    if not spw_min <= len(days) <= spw_max:
        raise DataError(path, f"has {len(days)} days; sessions_per_week is {spw_min}-{spw_max}")
    problems = spacing_problems(days, min_hours)
    if problems:
        raise DataError(path, problems[0])
    return days


def _item(raw: Any, path: str) -> ItemTemplate:
    it = obj(raw, path)
    keys(it, path, ("block", "name"), _ITEM_OPTIONAL)
    if it["block"] not in _BLOCKS:
        raise DataError(f"{path}.block", f"must be one of {', '.join(_BLOCKS)}, got {got(it['block'])}")
    sessions = None
    if it.get("sessions") is not None:
        sessions = tuple(integer(s, f"{path}.sessions[{k}]", minimum=1, maximum=7)
                         for k, s in enumerate(sequence(it["sessions"], f"{path}.sessions")))
    name = text(it["name"], f"{path}.name")
    description = text(it.get("description"), f"{path}.description", optional=True)
    spans = {key: span(it.get(key), f"{path}.{key}", name=key) for key in _SPANS}
    return ItemTemplate(block=it["block"], name=name, description=description, **spans,
                        notes=text(it.get("notes"), f"{path}.notes", optional=True), sessions=sessions,
                        **{key: text(it.get(key), f"{path}.{key}", optional=True)
                           for key in ("load", "progression", "clinician_note")})


def _min_sessions(criteria: tuple[Criterion, ...], path: str) -> int:
    c = next((c for c in criteria if c.code == "min_sessions"), None)
    if c is None:
        raise DataError(path, "is required (it sets how many recent sessions are read)")
    return int(c.value)


def _lsi_threshold(criteria: tuple[Criterion, ...]) -> Decimal | None:
    c = next((c for c in criteria if c.code == "min_lsi"), None)
    return c.value if c else None
