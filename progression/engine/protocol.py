"""A protocol as data: validation, pre-parsing, and the default protocol file.

``protocol_from_dict`` validates a plain dict (as stored in the app or read
from ``progression/protocols/hamstring-rts.json``) and returns an immutable,
pre-parsed :class:`Protocol`: thresholds are ``Decimal``, source ids are
resolved to citation text, each phase knows its LSI threshold and its entry
level. ``protocol_to_dict`` gives the dict back (a fresh copy of what was
validated), so a clinic can clone and edit it.

Shape of the dict (see the default file for a full example)::

    slug, version, name, description, notes?
    sources: {id: citation}
    measurement: {lsi_window_days, source, source_note?}
    load: {acute_n, chronic_n, min_days, source, source_note?}
    time_floors: {source, source_note?, floors: [{grades?: [int], site?: "a"|"b"|"c", days, note?}]}
    criteria: {code: {title, source, source_note?}}     # catalogue of exit criteria
    rules: [{code, number, title, description?, source, source_note?, <parameters>}]   # in order
    phases: [{number, name, focus, description, intensity_pct, sessions_per_week: {min, max},
              min_hours_between, spacing_note?, default_days?, refer_on_regress?,
              sign_off_to_advance?, items: [...], exit: {code: value | {value, ...}}}]

Only the rule codes and exit-criterion codes known to the engine are allowed;
every number they use comes from this dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "Criterion",
    "ItemTemplate",
    "LoadParams",
    "Phase",
    "Protocol",
    "ProtocolError",
    "RuleSpec",
    "TimeFloor",
    "default_protocol_data",
    "default_protocol_path",
    "load_default_protocol",
    "protocol_from_dict",
    "protocol_to_dict",
    "RULE_PARAMS",
    "CRITERION_CODES",
]


class ProtocolError(ValueError):
    """A malformed protocol dict. The message names the path of the bad value."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


# --------------------------------------------------------------------------- #
# Parsed, immutable protocol objects
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True, eq=False)
class RuleSpec:
    """One decision rule: its code picks the engine's check, params its numbers."""

    code: str
    number: int
    title: str
    description: str
    source: str
    params: Mapping[str, Any]

    def __repr__(self) -> str:
        return f"RuleSpec({self.code!r}, number={self.number})"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One exit criterion of a phase."""

    code: str
    title: str
    value: Decimal
    source: str
    scope: str | None = None  # min_peak_speed: "latest" | "best"
    required: bool = False  # max_apprehension: a score must exist


@dataclass(frozen=True, slots=True)
class ItemTemplate:
    block: str
    name: str
    description: str | None
    sets: tuple[Decimal, Decimal] | None
    reps: tuple[Decimal, Decimal] | None
    distance_m: tuple[Decimal, Decimal] | None
    build_m: tuple[Decimal, Decimal] | None
    fly_m: tuple[Decimal, Decimal] | None
    intensity_pct: tuple[Decimal, Decimal] | None
    rest_s: tuple[Decimal, Decimal] | None
    notes: str | None
    sessions: tuple[int, ...] | None  # 1-based ordinals of the week's sessions; None = every session


@dataclass(frozen=True, slots=True)
class Phase:
    number: int
    name: str
    focus: str
    description: str
    intensity_pct_min: Decimal | None
    intensity_pct_max: Decimal | None
    sessions_per_week_min: int
    sessions_per_week_max: int
    min_hours_between: int | None
    spacing_note: str | None
    default_days: tuple[int, ...] | None
    refer_on_regress: bool
    sign_off_to_advance: bool
    sign_off_note: str | None
    items: tuple[ItemTemplate, ...]
    exit: tuple[Criterion, ...]
    min_sessions: int
    lsi_threshold: Decimal | None  # this phase's min_lsi exit threshold
    entry_lsi: Decimal | None  # the previous phase's min_lsi exit threshold

    def criterion(self, code: str) -> Criterion | None:
        for c in self.exit:
            if c.code == code:
                return c
        return None


@dataclass(frozen=True, slots=True)
class LoadParams:
    acute_n: int
    chronic_n: int
    min_days: int
    source: str


@dataclass(frozen=True, slots=True)
class TimeFloor:
    days: int
    grades: tuple[int, ...] | None
    site: str | None
    note: str | None


@dataclass(frozen=True, slots=True, eq=False)
class Protocol:
    slug: str
    version: int
    name: str
    description: str
    sources: Mapping[str, str]
    rules: tuple[RuleSpec, ...]
    phases: tuple[Phase, ...]
    load: LoadParams
    lsi_window_days: int
    lsi_window_source: str
    time_floors: tuple[TimeFloor, ...]
    time_floor_source: str
    _raw: Any  # frozen copy of the validated dict (for protocol_to_dict, equality)

    def phase(self, n: int) -> Phase:
        if type(n) is not int or n < 0 or n >= len(self.phases):
            raise ValueError(f"phase must be an integer 0-{len(self.phases) - 1}, got {n!r}")
        return self.phases[n]

    @property
    def last_phase(self) -> int:
        return len(self.phases) - 1

    def rule(self, code: str) -> RuleSpec | None:
        for r in self.rules:
            if r.code == code:
                return r
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Protocol):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"Protocol({self.slug!r}, version={self.version}, phases={len(self.phases)})"


# --------------------------------------------------------------------------- #
# Validation helpers
# --------------------------------------------------------------------------- #

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _got(v: Any) -> str:
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


def _mapping(v: Any, path: str) -> Mapping:
    if not isinstance(v, Mapping):
        raise ProtocolError(path, f"must be an object, got {_got(v)}")
    return v


def _list(v: Any, path: str) -> list | tuple:
    if not isinstance(v, list | tuple):
        raise ProtocolError(path, f"must be a list, got {_got(v)}")
    return v


def _str(v: Any, path: str, *, optional: bool = False) -> str | None:
    if v is None and optional:
        return None
    if not isinstance(v, str) or not v.strip():
        raise ProtocolError(path, f"must be a non-empty string, got {_got(v)}")
    return v


def _bool(v: Any, path: str, default: bool | None = None) -> bool:
    if v is None and default is not None:
        return default
    if not isinstance(v, bool):
        raise ProtocolError(path, f"must be true or false, got {_got(v)}")
    return v


def _num(v: Any, path: str, *, optional: bool = False, minimum: Decimal | int | None = 0,
         maximum: Decimal | int | None = None) -> Decimal | None:
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise ProtocolError(path, f"must be a number, got {_got(v)}")
    if isinstance(v, int) and abs(v) > MAX_NUMBER:
        raise ProtocolError(path, f"must be {MAX_NUMBER} or less, got a number with {len(str(abs(v)))} digits")
    d = Decimal(str(v))
    if not d.is_finite():
        raise ProtocolError(path, f"must be a finite number, got {_got(v)}")
    if minimum is not None and d < minimum:
        raise ProtocolError(path, f"must be {minimum} or more, got {_got(v)}")
    maximum = MAX_NUMBER if maximum is None else maximum
    if d > maximum:
        raise ProtocolError(path, f"must be {maximum} or less, got {_got(v)}")
    return d


def _int(
    v: Any, path: str, *, optional: bool = False, minimum: int | None = 0, maximum: int | None = None
) -> int | None:
    if v is None and optional:
        return None
    ok = False
    maximum = MAX_NUMBER if maximum is None else maximum
    if isinstance(v, int) and not isinstance(v, bool):
        ok = True
    elif (isinstance(v, Decimal | float) and Decimal(str(v)).is_finite() and abs(Decimal(str(v))) <= MAX_NUMBER
          and Decimal(str(v)) == int(v)):
        v = int(v)
        ok = True
    if not ok:
        raise ProtocolError(path, f"must be an integer, got {_got(v)}")
    if minimum is not None and v < minimum:
        raise ProtocolError(path, f"must be {minimum} or more, got {v}")
    if v > maximum:
        raise ProtocolError(path, f"must be {maximum} or less, got {v}" if abs(v) <= 10**12 else
                            f"must be {maximum} or less, got a number with {len(str(abs(v)))} digits")
    return int(v)


def _keys(m: Mapping, path: str, required: set[str] | tuple, optional: set[str] | tuple = ()) -> None:
    for k in required:
        if k not in m:
            raise ProtocolError(f"{path}.{k}" if path else k, "is required")
    allowed = set(required) | set(optional)
    for k in m:
        if k not in allowed:
            raise ProtocolError(f"{path}.{k}" if path else str(k), "unknown key")


def _range(v: Any, path: str, *, optional: bool = True, name: str | None = None) -> tuple[Decimal, Decimal] | None:
    """A number, or {"min", "max"}; returns (min, max). With `name`, both ends within RANGES[name]."""
    result = _range_of(v, path, optional=optional)
    if result is not None and name is not None:
        for end, value in zip(("min", "max"), result, strict=True):
            _in_range(value, f"{path}.{end}" if isinstance(v, Mapping) else path, name)
    return result


def _range_of(v: Any, path: str, *, optional: bool = True) -> tuple[Decimal, Decimal] | None:
    if v is None and optional:
        return None
    if isinstance(v, Mapping):
        _keys(v, path, (), ("min", "max"))
        lo = _num(v.get("min"), f"{path}.min", optional=True)
        hi = _num(v.get("max"), f"{path}.max", optional=True)
        if lo is None and hi is None:
            raise ProtocolError(path, "needs min or max")
        if lo is None:
            lo = hi
        if hi is None:
            hi = lo
        if lo > hi:
            raise ProtocolError(path, f"min {lo} is above max {hi}")
        return (lo, hi)
    d = _num(v, path)
    return (d, d)


def _freeze(v: Any) -> Any:
    if isinstance(v, Mapping):
        return MappingProxyType({k: _freeze(x) for k, x in v.items()})
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, float):
        return Decimal(str(v))
    return v


class _FrozenDict(dict):
    """Hashable, read-only dict used for the protocol's raw copy."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def _ro(self, *a: Any, **k: Any) -> None:
        raise TypeError("protocol data is read-only; use protocol_to_dict() for an editable copy")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _ro  # type: ignore[assignment]


def _deep_freeze(v: Any) -> Any:
    if isinstance(v, Mapping):
        return _FrozenDict((k, _deep_freeze(x)) for k, x in v.items())
    if isinstance(v, list | tuple):
        return tuple(_deep_freeze(x) for x in v)
    return v


def _thaw(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {k: _thaw(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_thaw(x) for x in v]
    return v


# --------------------------------------------------------------------------- #
# Rules and criteria known to the engine
# --------------------------------------------------------------------------- #

# The range of every number a protocol sets, inclusive: a threshold outside the scale it is compared with
# (pain 11, LSI 500, 1e400) could never be met, or always would, which no clinician means. Any other number
# is at most MAX_NUMBER.
MAX_NUMBER = 100_000
_PAIN = (0, 10)      # pain and soreness scores, 0-10
_LSI = (0, 200)      # limb symmetry index and its drops, %
_PCT = (0, 120)      # % of maximal velocity, % of the pre-injury load
_SCORE = (0, 100)    # technique %, H-test apprehension 0-100
_RATIO = (0, 10)     # acute:chronic load ratio
RANGES: dict[str, tuple[int, int]] = {
    # rule parameters
    "pain_at_least": _PAIN, "soreness_at_least": _PAIN, "pain_min": _PAIN, "pain_max": _PAIN,
    "soreness_min": _PAIN, "soreness_max": _PAIN,
    "lsi_below": _LSI, "drop_from_best": _LSI, "below_entry": _LSI,
    "hold_at": _RATIO, "reduce_volume_at": _RATIO, "drop_at_least": _SCORE, "above": _SCORE,
    "regress_phases": (1, 6), "consecutive": (2, 30),
    # exit criteria
    "min_sessions": (1, 50), "max_pain": _PAIN, "max_soreness": _PAIN, "min_lsi": _LSI, "min_technique": _SCORE,
    "min_peak_speed": _PCT, "min_efforts_95": (0, 1000), "min_full_sessions": (0, 100),
    "max_apprehension": _SCORE, "min_load_pct": _PCT, "min_days_since_rts": (0, 365),
    # the rest: days, counts, prescriptions
    "lsi_window_days": (0, 365), "acute_n": (1, 90), "chronic_n": (1, 365), "min_days": (0, 365),
    "floor_days": (0, 730), "min_hours_between": (0, 168), "intensity_pct": _PCT, "sets": (0, 50),
    "reps": (0, 500), "distance_m": (0, 10_000), "build_m": (0, 1000), "fly_m": (0, 1000), "rest_s": (0, 3600),
}


def _in_range(value: Decimal | int, path: str, name: str) -> Decimal | int:
    lo, hi = RANGES[name]
    if not lo <= value <= hi:
        raise ProtocolError(path, f"must be from {lo} to {hi}, got {value}")
    return value


# kind: "num" (Decimal >= 0), "int", "int1" (int >= 1), "int2" (int >= 2), "bool", "phase"
RULE_PARAMS: dict[str, dict[str, str]] = {
    "red_flag": {"pain_at_least": "num", "soreness_at_least": "num", "to_phase": "phase", "refer": "bool"},
    "pain_or_soreness_5": {"pain_at_least": "num", "soreness_at_least": "num", "regress_phases": "int1"},
    "soreness_consecutive": {"soreness_at_least": "num", "consecutive": "int2", "regress_phases": "int1"},
    "strength_falling": {
        "lsi_below": "num",
        "drop_from_best": "num",
        "below_entry": "num",
        "regress_phases": "int1",
    },
    "missing_data": {},
    "pain_or_soreness_3_4": {
        "pain_min": "num",
        "pain_max": "num",
        "soreness_min": "num",
        "soreness_max": "num",
    },
    "load_spike": {"hold_at": "num", "reduce_volume_at": "num"},
    "technique_fatigue": {"drop_at_least": "num"},
    "apprehension": {"from_phase": "phase", "above": "num"},
    "exit_criteria": {},
}

# code -> value kind
CRITERION_CODES: dict[str, str] = {
    "min_sessions": "int1",
    "max_pain": "num",
    "max_soreness": "num",
    "min_lsi": "num",
    "min_technique": "num",
    "min_peak_speed": "num",
    "min_efforts_95": "int",
    "min_full_sessions": "int",
    "max_apprehension": "num",
    "min_load_pct": "num",
    "min_days_since_rts": "int",
}

_BLOCKS = ("sprint", "drill", "strength", "plyometric", "conditioning")


def _sources(ids: Any, note: Any, path: str, sources: Mapping[str, str]) -> str:
    if isinstance(ids, str):
        ids = [ids]
    ids = _list(ids, f"{path}.source")
    if not ids:
        raise ProtocolError(f"{path}.source", "must name at least one source")
    texts = []
    for i, sid in enumerate(ids):
        if not isinstance(sid, str) or sid not in sources:
            raise ProtocolError(f"{path}.source[{i}]", f"unknown source id {_got(sid)}")
        texts.append(sources[sid])
    text = " ".join(texts)
    if note is not None:
        note = _str(note, f"{path}.source_note")
        text = f"{text} Note: {note}."
    return text


def _param(kind: str, v: Any, path: str, n_phases: int) -> Any:
    if kind == "num":
        return _num(v, path)
    if kind == "int":
        return _int(v, path)
    if kind == "int1":
        return _int(v, path, minimum=1)
    if kind == "int2":
        return _int(v, path, minimum=2)
    if kind == "bool":
        return _bool(v, path)
    if kind == "phase":
        return _int(v, path, minimum=0, maximum=n_phases - 1)
    raise AssertionError(kind)  # pragma: no cover


# --------------------------------------------------------------------------- #
# protocol_from_dict
# --------------------------------------------------------------------------- #


def protocol_from_dict(data: Mapping) -> Protocol:
    """Validate ``data`` and return the pre-parsed, immutable :class:`Protocol`.

    Raises :class:`ProtocolError` naming the path of the first bad value.
    """
    data = _mapping(data, "")
    _keys(
        data,
        "",
        (
            "slug",
            "version",
            "name",
            "sources",
            "measurement",
            "load",
            "time_floors",
            "criteria",
            "rules",
            "phases",
        ),
        ("description", "notes"),
    )
    slug = _str(data["slug"], "slug")
    if not _SLUG_RE.match(slug):
        raise ProtocolError("slug", f"must be lower-case letters, digits, '-' or '_', got {_got(slug)}")
    version = _int(data["version"], "version", minimum=1)
    name = _str(data["name"], "name")
    description = _str(data.get("description"), "description", optional=True) or ""
    _str(data.get("notes"), "notes", optional=True)

    # sources
    raw_sources = _mapping(data["sources"], "sources")
    sources: dict[str, str] = {}
    for sid, text in raw_sources.items():
        if not isinstance(sid, str) or not sid:
            raise ProtocolError("sources", f"source ids must be non-empty strings, got {_got(sid)}")
        sources[sid] = _str(text, f"sources.{sid}")

    # measurement
    meas = _mapping(data["measurement"], "measurement")
    _keys(meas, "measurement", ("lsi_window_days", "source"), ("source_note",))
    lsi_window_days = _in_range(_int(meas["lsi_window_days"], "measurement.lsi_window_days"),
                                "measurement.lsi_window_days", "lsi_window_days")
    lsi_window_source = _sources(meas["source"], meas.get("source_note"), "measurement", sources)

    # load
    ld = _mapping(data["load"], "load")
    _keys(ld, "load", ("acute_n", "chronic_n", "min_days", "source"), ("source_note",))
    load = LoadParams(
        acute_n=_in_range(_int(ld["acute_n"], "load.acute_n", minimum=1), "load.acute_n", "acute_n"),
        chronic_n=_in_range(_int(ld["chronic_n"], "load.chronic_n", minimum=1), "load.chronic_n", "chronic_n"),
        min_days=_in_range(_int(ld["min_days"], "load.min_days", minimum=0), "load.min_days", "min_days"),
        source=_sources(ld["source"], ld.get("source_note"), "load", sources),
    )

    # time floors
    tf = _mapping(data["time_floors"], "time_floors")
    _keys(tf, "time_floors", ("source", "floors"), ("source_note",))
    time_floor_source = _sources(tf["source"], tf.get("source_note"), "time_floors", sources)
    floors = []
    for i, fl in enumerate(_list(tf["floors"], "time_floors.floors")):
        p = f"time_floors.floors[{i}]"
        fl = _mapping(fl, p)
        _keys(fl, p, ("days",), ("grades", "site", "note"))
        grades = None
        if fl.get("grades") is not None:
            grades = tuple(
                _int(g, f"{p}.grades[{j}]", minimum=0, maximum=4)
                for j, g in enumerate(_list(fl["grades"], f"{p}.grades"))
            )
        site = fl.get("site")
        if site is not None and site not in ("a", "b", "c"):
            raise ProtocolError(f"{p}.site", f'must be "a", "b" or "c", got {_got(site)}')
        if grades is None and site is None:
            raise ProtocolError(p, "needs grades or site")
        floors.append(
            TimeFloor(
                days=_in_range(_int(fl["days"], f"{p}.days"), f"{p}.days", "floor_days"),
                grades=grades,
                site=site,
                note=_str(fl.get("note"), f"{p}.note", optional=True),
            )
        )

    # criteria catalogue
    crit_cat = _mapping(data["criteria"], "criteria")
    criteria: dict[str, tuple[str, str, Any, Any]] = {}
    for code, spec in crit_cat.items():
        p = f"criteria.{code}"
        if code not in CRITERION_CODES:
            raise ProtocolError(p, f"unknown criterion code (known: {', '.join(CRITERION_CODES)})")
        spec = _mapping(spec, p)
        _keys(spec, p, ("title", "source"), ("source_note",))
        title = _str(spec["title"], f"{p}.title")
        criteria[code] = (
            title,
            _sources(spec["source"], spec.get("source_note"), p, sources),
            spec["source"],
            spec.get("source_note"),
        )

    # phases (parsed before rules so rule params can be checked against the phase count)
    raw_phases = _list(data["phases"], "phases")
    if not raw_phases:
        raise ProtocolError("phases", "must have at least one phase")
    n_phases = len(raw_phases)

    # rules
    raw_rules = _list(data["rules"], "rules")
    rules: list[RuleSpec] = []
    seen_codes: set[str] = set()
    seen_numbers: set[int] = set()
    for i, r in enumerate(raw_rules):
        p = f"rules[{i}]"
        r = _mapping(r, p)
        code = r.get("code")
        if code not in RULE_PARAMS:
            raise ProtocolError(
                f"{p}.code", f"unknown rule code {_got(code)} (known: {', '.join(RULE_PARAMS)})"
            )
        if code in seen_codes:
            raise ProtocolError(f"{p}.code", f"duplicate rule {_got(code)}")
        seen_codes.add(code)
        spec = RULE_PARAMS[code]
        _keys(r, p, ("code", "number", "title", "source", *spec), ("description", "source_note"))
        number = _int(r["number"], f"{p}.number", minimum=1)
        if number in seen_numbers:
            raise ProtocolError(f"{p}.number", f"duplicate rule number {number}")
        seen_numbers.add(number)
        params = {k: _param(kind, r[k], f"{p}.{k}", n_phases) for k, kind in spec.items()}
        for k, value in params.items():
            if k in RANGES:
                _in_range(value, f"{p}.{k}", k)
        if code == "pain_or_soreness_3_4":
            for a, b in (("pain_min", "pain_max"), ("soreness_min", "soreness_max")):
                if params[a] > params[b]:
                    raise ProtocolError(f"{p}.{a}", f"must not be above {b}")
        rules.append(
            RuleSpec(
                code=code,
                number=number,
                title=_str(r["title"], f"{p}.title"),
                description=_str(r.get("description"), f"{p}.description", optional=True) or "",
                source=_sources(r["source"], r.get("source_note"), p, sources),
                params=MappingProxyType(params),
            )
        )
    if not rules or rules[-1].code != "exit_criteria":
        raise ProtocolError("rules", 'the last rule must be "exit_criteria"')

    phases: list[Phase] = []
    prev_lsi: Decimal | None = None
    for i, ph in enumerate(raw_phases):
        p = f"phases[{i}]"
        ph = _mapping(ph, p)
        _keys(
            ph,
            p,
            ("number", "name", "focus", "description", "sessions_per_week", "items", "exit"),
            (
                "intensity_pct",
                "min_hours_between",
                "spacing_note",
                "default_days",
                "refer_on_regress",
                "sign_off_to_advance",
                "sign_off_note",
            ),
        )
        number = _int(ph["number"], f"{p}.number")
        if number != i:
            raise ProtocolError(
                f"{p}.number", f"must be {i} (phases are numbered 0, 1, 2... in order), got {number}"
            )
        intensity = _range(ph.get("intensity_pct"), f"{p}.intensity_pct", name="intensity_pct")
        imin = imax = None
        if isinstance(ph.get("intensity_pct"), Mapping):
            imin = _num(ph["intensity_pct"].get("min"), f"{p}.intensity_pct.min", optional=True)
            imax = _num(ph["intensity_pct"].get("max"), f"{p}.intensity_pct.max", optional=True)
        elif intensity is not None:
            imin, imax = intensity
        spw = _mapping(ph["sessions_per_week"], f"{p}.sessions_per_week")
        _keys(spw, f"{p}.sessions_per_week", ("min", "max"))
        spw_min = _int(spw["min"], f"{p}.sessions_per_week.min", minimum=1, maximum=7)
        spw_max = _int(spw["max"], f"{p}.sessions_per_week.max", minimum=1, maximum=7)
        if spw_min > spw_max:
            raise ProtocolError(f"{p}.sessions_per_week", f"min {spw_min} is above max {spw_max}")
        min_hours = _int(ph.get("min_hours_between"), f"{p}.min_hours_between", optional=True)
        if min_hours is not None:
            _in_range(min_hours, f"{p}.min_hours_between", "min_hours_between")
        default_days = None
        if ph.get("default_days") is not None:
            dd = _list(ph["default_days"], f"{p}.default_days")
            default_days = tuple(
                _int(d, f"{p}.default_days[{j}]", minimum=1, maximum=7) for j, d in enumerate(dd)
            )
            if len(set(default_days)) != len(default_days):
                raise ProtocolError(f"{p}.default_days", "has a day twice")
            if list(default_days) != sorted(default_days):
                raise ProtocolError(f"{p}.default_days", "must be in weekday order")
            if not spw_min <= len(default_days) <= spw_max:
                raise ProtocolError(
                    f"{p}.default_days",
                    f"has {len(default_days)} days; sessions_per_week is {spw_min}-{spw_max}",
                )
            from .prescription import spacing_problems  # local: avoids an import cycle

            problems = spacing_problems(default_days, min_hours)
            if problems:
                raise ProtocolError(f"{p}.default_days", problems[0])

        items = []
        for j, it in enumerate(_list(ph["items"], f"{p}.items")):
            ip = f"{p}.items[{j}]"
            it = _mapping(it, ip)
            _keys(
                it,
                ip,
                ("block", "name"),
                (
                    "description",
                    "sets",
                    "reps",
                    "distance_m",
                    "build_m",
                    "fly_m",
                    "intensity_pct",
                    "rest_s",
                    "notes",
                    "sessions",
                ),
            )
            if it["block"] not in _BLOCKS:
                raise ProtocolError(
                    f"{ip}.block", f"must be one of {', '.join(_BLOCKS)}, got {_got(it['block'])}"
                )
            sess = None
            if it.get("sessions") is not None:
                sess = tuple(
                    _int(s, f"{ip}.sessions[{k}]", minimum=1, maximum=7)
                    for k, s in enumerate(_list(it["sessions"], f"{ip}.sessions"))
                )
            items.append(
                ItemTemplate(
                    block=it["block"],
                    name=_str(it["name"], f"{ip}.name"),
                    description=_str(it.get("description"), f"{ip}.description", optional=True),
                    sets=_range(it.get("sets"), f"{ip}.sets", name="sets"),
                    reps=_range(it.get("reps"), f"{ip}.reps", name="reps"),
                    distance_m=_range(it.get("distance_m"), f"{ip}.distance_m", name="distance_m"),
                    build_m=_range(it.get("build_m"), f"{ip}.build_m", name="build_m"),
                    fly_m=_range(it.get("fly_m"), f"{ip}.fly_m", name="fly_m"),
                    intensity_pct=_range(it.get("intensity_pct"), f"{ip}.intensity_pct", name="intensity_pct"),
                    rest_s=_range(it.get("rest_s"), f"{ip}.rest_s", name="rest_s"),
                    notes=_str(it.get("notes"), f"{ip}.notes", optional=True),
                    sessions=sess,
                )
            )

        raw_exit = _mapping(ph["exit"], f"{p}.exit")
        crits = []
        for code, spec in raw_exit.items():
            cp = f"{p}.exit.{code}"
            if code not in CRITERION_CODES:
                raise ProtocolError(cp, f"unknown criterion code (known: {', '.join(CRITERION_CODES)})")
            if code not in criteria:
                raise ProtocolError(cp, f"criterion not described in criteria.{code}")
            title, source_text, cat_ids, cat_note = criteria[code]
            scope = None
            required = False
            if isinstance(spec, Mapping):
                allowed = ["source", "source_note", "title"]
                if code == "min_peak_speed":
                    allowed.append("scope")
                if code == "max_apprehension":
                    allowed.append("required")
                _keys(spec, cp, ("value",), allowed)
                raw_value = spec["value"]
                vpath = f"{cp}.value"
                if "title" in spec:
                    title = _str(spec["title"], f"{cp}.title")
                if "source" in spec or "source_note" in spec:
                    source_text = _sources(
                        spec.get("source", cat_ids), spec.get("source_note", cat_note), cp, sources
                    )
                if code == "min_peak_speed":
                    scope = spec.get("scope", "best")
                    if scope not in ("latest", "best"):
                        raise ProtocolError(f"{cp}.scope", f'must be "latest" or "best", got {_got(scope)}')
                if code == "max_apprehension":
                    required = _bool(spec.get("required"), f"{cp}.required", default=False)
            else:
                raw_value = spec
                vpath = cp
                if code == "min_peak_speed":
                    scope = "best"
            kind = CRITERION_CODES[code]
            if kind == "num":
                value = _num(raw_value, vpath)
            else:
                value = Decimal(_int(raw_value, vpath, minimum=1 if kind == "int1" else 0))
            _in_range(value, vpath, code)
            crits.append(
                Criterion(
                    code=code, title=title, value=value, source=source_text, scope=scope, required=required
                )
            )
        min_sessions_c = next((c for c in crits if c.code == "min_sessions"), None)
        if min_sessions_c is None:
            raise ProtocolError(
                f"{p}.exit.min_sessions", "is required (it sets how many recent sessions are read)"
            )
        lsi_c = next((c for c in crits if c.code == "min_lsi"), None)
        lsi_threshold = lsi_c.value if lsi_c else None

        phases.append(
            Phase(
                number=number,
                name=_str(ph["name"], f"{p}.name"),
                focus=_str(ph["focus"], f"{p}.focus"),
                description=_str(ph["description"], f"{p}.description"),
                intensity_pct_min=imin,
                intensity_pct_max=imax,
                sessions_per_week_min=spw_min,
                sessions_per_week_max=spw_max,
                min_hours_between=min_hours,
                spacing_note=_str(ph.get("spacing_note"), f"{p}.spacing_note", optional=True),
                default_days=default_days,
                refer_on_regress=_bool(ph.get("refer_on_regress"), f"{p}.refer_on_regress", default=False),
                sign_off_to_advance=_bool(
                    ph.get("sign_off_to_advance"), f"{p}.sign_off_to_advance", default=False
                ),
                sign_off_note=_str(ph.get("sign_off_note"), f"{p}.sign_off_note", optional=True),
                items=tuple(items),
                exit=tuple(crits),
                min_sessions=int(min_sessions_c.value),
                lsi_threshold=lsi_threshold,
                entry_lsi=prev_lsi,
            )
        )
        prev_lsi = lsi_threshold

    return Protocol(
        slug=slug,
        version=version,
        name=name,
        description=description,
        sources=MappingProxyType(sources),
        rules=tuple(rules),
        phases=tuple(phases),
        load=load,
        lsi_window_days=lsi_window_days,
        lsi_window_source=lsi_window_source,
        time_floors=tuple(floors),
        time_floor_source=time_floor_source,
        _raw=_deep_freeze(data),
    )


def protocol_to_dict(protocol: Protocol) -> dict:
    """The protocol as a plain, editable dict (a fresh copy); round-trips with
    :func:`protocol_from_dict`. Numbers stay as they were given (``Decimal`` when
    the file was read with ``parse_float=Decimal``)."""
    return _thaw(protocol._raw)


# --------------------------------------------------------------------------- #
# The default protocol file
# --------------------------------------------------------------------------- #


def default_protocol_path() -> Path:
    return Path(__file__).resolve().parent.parent / "protocols" / "hamstring-rts.json"


@lru_cache(maxsize=1)
def _default_text() -> str:
    return default_protocol_path().read_text(encoding="utf-8")


def default_protocol_data() -> dict:
    """The raw dict of ``progression/protocols/hamstring-rts.json`` (floats as ``Decimal``).

    A fresh dict on every call: the caller may change it.
    """
    return json.loads(_default_text(), parse_float=Decimal)


@lru_cache(maxsize=1)
def load_default_protocol() -> Protocol:
    """The default protocol, parsed once and cached (it is immutable)."""
    return protocol_from_dict(default_protocol_data())
