"""Exit criteria: the built-in catalogue, a clinic's own criteria from the vocabulary, and their validation.

A protocol's ``criteria`` section describes every criterion its phases use: ``{code: {title, source,
source_note?, check?}}``. The eleven built-in codes (:data:`CRITERION_CODES`) need no ``check``: how each reads is
fixed (:data:`PRESETS`). Any other code is a clinic's own criterion and must say, in ``check``, which check of the
vocabulary it is and what it reads, e.g. ``{"kind": "recent_sessions", "field": "rpe", "compare": "max"}``.

A phase's ``exit`` gives each criterion it uses a threshold: ``{code: value}`` or ``{code: {value, title?,
source?, source_note?, <options>}}``; the options a criterion takes per phase are listed in its spec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .checks import CRITERION_KINDS, CriterionCheck
from .fields import CONTEXT_FIELDS, SESSION_FIELDS, Field
from .reasons import capitalised, fmt
from .validation import MAX_NUMBER, DataError, cite, flag, got, in_range, integer, keys, number, obj, text

__all__ = ["CRITERION_CODES", "PRESETS", "Criterion", "CriterionSpec", "parse_catalogue", "parse_exit"]

#: The built-in criteria: code -> kind of threshold ("num": a number >= 0, "int": an integer >= 0, "int1": >= 1).
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


@dataclass(frozen=True, slots=True)
class Criterion:
    """One exit criterion of a phase: its threshold and the bound check that reads it."""

    code: str
    title: str
    value: Decimal
    source: str
    scope: str | None = None  # a reading criterion: "latest" | "best" | "most_recent"
    required: bool = False  # a reading criterion: no reading is not met
    kind: str = ""  # the vocabulary check: recent_sessions | stint_count | reading | context_value
    check: Any = field(default=None, compare=False, repr=False)  # check(state) -> Reason


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """How a criterion reads, in the vocabulary's terms (one per built-in code; one per clinic criterion)."""

    kind: str
    field: str | None
    compare: str = "min"  # "min": the value must be at least the threshold; "max": at most
    scope: str = "most_recent"  # reading
    scopes: tuple[str, ...] = ("latest", "best", "most_recent")  # the scopes a phase may choose
    window: Any = None  # reading: None (the stint), days, or "measurement" (the protocol's LSI window)
    required: bool = True  # reading: no reading is "not met" (False: "met")
    missing: str = "not_met"  # context_value: the status when the plan does not know the value
    sessions: int | None = None  # recent_sessions: how many (None: the phase's min_sessions)
    at_least: Decimal | None = None  # stint_count: count the sessions with the field at or above this
    key: str | None = None  # the name of the value in the reason's values (default: the field's name)
    extras: tuple[str, ...] = ()  # reading: option values repeated in the reason's values
    options: tuple[str, ...] = ()  # keys a phase may set beside value, title, source, source_note
    value_kind: str = "num"  # "num" | "int" | "int1"
    words: Mapping = field(default_factory=dict)  # wording templates (built-ins); else from the field


_MORE = "{count} in this phase; {need} or more needed."

PRESETS: dict[str, CriterionSpec] = {
    "min_sessions": CriterionSpec("stint_count", None, key="sessions", value_kind="int1", words={
        "noun": "session",
        "message": "{count} in this stint; the last {need} must each be within the limits ({need} or more needed)."}),
    "max_pain": CriterionSpec("recent_sessions", "pain_during", compare="max"),
    "max_soreness": CriterionSpec("recent_sessions", "soreness_24h", compare="max"),
    "min_lsi": CriterionSpec("reading", "strength_lsi", window="measurement", key="lsi", extras=("window_days",),
                             words={"found": "Strength LSI {value} on {date} (the most recent within {window} "
                                             "days); {need} or more needed.",
                                    "none": "No strength LSI measured within {window} days before {today}; "
                                            "{need} or more needed."}),
    "min_technique": CriterionSpec("reading", "technique", key="technique", words={
        "found": "Technique score {value} on {date} (the most recent in this stint); {need} or more needed.",
        "none": "No technique score recorded in this stint; {need} or more needed."}),
    "min_peak_speed": CriterionSpec("reading", "peak_speed_pct", scope="best", scopes=("latest", "best"),
                                    extras=("scope",), options=("scope",), words={
        "latest": {"found": "Peak speed in the latest session ({date}): {value}% of maximal velocity; {need}% or "
                            "more needed.",
                   "none": "No peak speed recorded in the latest session; {need}% or more of maximal velocity "
                           "needed."},
        "best": {"found": "Highest peak speed in this phase: {value}% of maximal velocity ({date}); {need}% or "
                          "more needed.",
                 "none": "No peak speed recorded in this phase; {need}% or more of maximal velocity needed."}}),
    "min_efforts_95": CriterionSpec("stint_count", "efforts_95", value_kind="int", words={
        "noun": "effort", "suffix": " at 95% or more of maximal velocity", "message": _MORE}),
    "min_full_sessions": CriterionSpec("stint_count", "full_session", key="full_sessions", value_kind="int",
                                       words={"noun": "full team or race-pace session", "message": _MORE}),
    "max_apprehension": CriterionSpec("reading", "apprehension", compare="max", required=False,
                                      extras=("required",), options=("required",), words={
        "found": "Most recent apprehension score (H-test) {value} on {date}; it {must}.",
        "none": "No apprehension score (H-test) recorded in this phase; one is needed and it {must}.",
        "none_optional": "No apprehension score (H-test) recorded in this stint; if one is recorded it {must}."}),
    "min_load_pct": CriterionSpec("context_value", "load_pct", missing="not_applicable", words={
        "found": "Load {value}% of the pre-injury baseline; {need}% or more needed.",
        "none": "No pre-injury load baseline, so this criterion does not apply."}),
    "min_days_since_rts": CriterionSpec("context_value", "days_since_rts", value_kind="int", words={
        "found": "{count}; {need} or more needed.",
        "none": "Days since return-to-sport clearance not known; {need} or more needed."}),
}

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_ALL_FIELDS = {**SESSION_FIELDS, **CONTEXT_FIELDS}
_PER_PHASE = {"recent_sessions": ("sessions",), "reading": ("scope", "window_days", "required"),
              "stint_count": (), "context_value": ()}


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """``criteria.<code>`` of a protocol, validated."""

    code: str
    title: str
    source: str
    source_ids: Any
    source_note: str | None
    spec: CriterionSpec


# --------------------------------------------------------------------------- #
# criteria: the protocol's catalogue
# --------------------------------------------------------------------------- #


def _unknown_code(path: str) -> DataError:
    return DataError(path, f"unknown criterion code (known: {', '.join(CRITERION_CODES)}; a clinic's own "
                           "criterion needs a check in criteria.<code>)")


def parse_catalogue(raw: Any, sources: Mapping[str, str]) -> dict[str, CatalogueEntry]:
    catalogue = {}
    for code, entry in obj(raw, "criteria").items():
        path = f"criteria.{code}"
        entry = obj(entry, path)
        if code in CRITERION_CODES:
            keys(entry, path, ("title", "source"), ("source_note",))
            spec = PRESETS[code]
        elif "check" in entry and isinstance(code, str) and _CODE_RE.match(code):
            keys(entry, path, ("title", "source", "check"), ("source_note",))
            spec = parse_check(entry["check"], f"{path}.check")
        else:
            raise _unknown_code(path)
        catalogue[code] = CatalogueEntry(code, text(entry["title"], f"{path}.title"),
                                         cite(entry["source"], entry.get("source_note"), path, sources),
                                         entry["source"], entry.get("source_note"), spec)
    return catalogue


def _field(raw: Any, path: str, fields: Mapping[str, Field], numeric: bool = True) -> Field:
    f = fields.get(raw) if isinstance(raw, str) else None
    if f is None or (numeric and not f.numeric):
        known = [name for name, x in fields.items() if x.numeric or not numeric]
        raise DataError(path, f"must be one of {', '.join(known)}, got {got(raw)}")
    return f


def _choice(raw: Any, path: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed or not isinstance(raw, str):
        raise DataError(path, f"must be {' or '.join(_quoted(allowed))}, got {got(raw)}")
    return raw


def _quoted(values) -> list[str]:
    return [f'"{v}"' for v in values]


def parse_check(raw: Any, path: str) -> CriterionSpec:
    """A clinic criterion's ``check``: which vocabulary check, what it reads, its options."""
    m = obj(raw, path)
    kind = _choice(m.get("kind"), f"{path}.kind", tuple(CRITERION_KINDS))
    return _CHECK_PARSERS[kind](m, path)


def _compare(m, path) -> str:
    return _choice(m.get("compare", "min"), f"{path}.compare", ("min", "max"))


def _check_recent(m, path) -> CriterionSpec:
    keys(m, path, ("kind", "field"), ("compare", "sessions"))
    sessions = integer(m.get("sessions"), f"{path}.sessions", optional=True, minimum=1)
    if sessions is not None:
        in_range(sessions, f"{path}.sessions", "sessions")
    return CriterionSpec("recent_sessions", _field(m["field"], f"{path}.field", SESSION_FIELDS).name,
                         compare=_compare(m, path), sessions=sessions, options=_PER_PHASE["recent_sessions"])


def _check_count(m, path) -> CriterionSpec:
    keys(m, path, ("kind",), ("field", "at_least"))
    f = None if m.get("field") is None else _field(m["field"], f"{path}.field", SESSION_FIELDS, numeric=False)
    at_least = number(m.get("at_least"), f"{path}.at_least", optional=True)
    if at_least is not None and (f is None or not f.numeric):
        raise DataError(f"{path}.at_least", "needs a numeric field")
    if at_least is not None:
        in_range(at_least, f"{path}.at_least", _scale(f))
    return CriterionSpec("stint_count", f.name if f else None, at_least=at_least, value_kind="int",
                         key=f.name if f else "sessions")


def _check_reading(m, path) -> CriterionSpec:
    keys(m, path, ("kind", "field"), ("compare", "scope", "window_days", "required"))
    f = _field(m["field"], f"{path}.field", SESSION_FIELDS)
    scope = _choice(m.get("scope", "most_recent"), f"{path}.scope", ("latest", "best", "most_recent"))
    window = _window(m.get("window_days"), f"{path}.window_days", scope)
    return CriterionSpec("reading", f.name, compare=_compare(m, path), scope=scope, window=window,
                         required=flag(m.get("required"), f"{path}.required", default=True),
                         extras=("scope", "window_days", "required"), options=_PER_PHASE["reading"])


def _check_context(m, path) -> CriterionSpec:
    keys(m, path, ("kind", "field"), ("compare", "missing"))
    f = _field(m["field"], f"{path}.field", CONTEXT_FIELDS)
    missing = _choice(m.get("missing", "not_met"), f"{path}.missing", ("not_met", "not_applicable"))
    return CriterionSpec("context_value", f.name, compare=_compare(m, path), missing=missing)


_CHECK_PARSERS = {"recent_sessions": _check_recent, "stint_count": _check_count, "reading": _check_reading,
                  "context_value": _check_context}


def _window(raw: Any, path: str, scope: str) -> int | None:
    window = integer(raw, path, optional=True)
    if window is not None:
        if scope != "most_recent":
            raise DataError(path, 'is only for scope "most_recent"')
        in_range(window, path, "window_days")
    return window


def _scale(f: Field) -> tuple[int, int]:
    lo, hi = f.scale
    return (lo, MAX_NUMBER if hi is None else hi)


# --------------------------------------------------------------------------- #
# phases[i].exit: one phase's thresholds
# --------------------------------------------------------------------------- #


def parse_exit(raw: Any, path: str, catalogue: Mapping[str, CatalogueEntry], sources: Mapping[str, str],
               lsi_window: int) -> tuple[Criterion, ...]:
    criteria = []
    for code, spec in obj(raw, path).items():
        cpath = f"{path}.{code}"
        entry = catalogue.get(code)
        if entry is None:
            if code in CRITERION_CODES:
                raise DataError(cpath, f"criterion not described in criteria.{code}")
            raise _unknown_code(cpath)
        criteria.append(_criterion(entry, spec, cpath, sources, lsi_window))
    return tuple(criteria)


def _criterion(entry: CatalogueEntry, raw: Any, path: str, sources, lsi_window: int) -> Criterion:
    spec = entry.spec
    title, source = entry.title, entry.source
    options: dict = {}
    if isinstance(raw, Mapping):
        keys(raw, path, ("value",), ("source", "source_note", "title", *spec.options))
        value = _threshold(entry, raw["value"], f"{path}.value")
        if "title" in raw:
            title = text(raw["title"], f"{path}.title")
        if "source" in raw or "source_note" in raw:
            source = cite(raw.get("source", entry.source_ids), raw.get("source_note", entry.source_note), path,
                          sources)
        options = _options(spec, raw, path)
    else:
        value = _threshold(entry, raw, path)
    scope = options.get("scope", spec.scope)
    required = options.get("required", spec.required)
    window = options.get("window_days", spec.window)
    check = _bind(entry.code, spec, title, source, value, scope=scope, required=required, window=window,
                  sessions=options.get("sessions", spec.sessions), lsi_window=lsi_window)
    own = entry.code not in CRITERION_CODES  # a built-in criterion shows only the options it takes
    return Criterion(code=entry.code, title=title, value=value, source=source,
                     scope=scope if spec.kind == "reading" and (own or "scope" in spec.options) else None,
                     required=required if spec.kind == "reading" and (own or "required" in spec.options) else False,
                     kind=spec.kind, check=check)


def _threshold(entry: CatalogueEntry, raw: Any, path: str) -> Decimal:
    spec = entry.spec
    if spec.value_kind == "num":
        value = number(raw, path)
    else:
        value = Decimal(integer(raw, path, minimum=1 if spec.value_kind == "int1" else 0))
    if entry.code in CRITERION_CODES:
        return in_range(value, path, entry.code)
    if spec.kind == "stint_count":
        return in_range(value, path, (0, 1000))
    return in_range(value, path, _scale(_ALL_FIELDS[spec.field]))


def _options(spec: CriterionSpec, raw: Mapping, path: str) -> dict:
    options = {}
    if "scope" in spec.options and "scope" in raw:
        options["scope"] = _choice(raw["scope"], f"{path}.scope", spec.scopes)
    if "required" in spec.options:
        options["required"] = flag(raw.get("required"), f"{path}.required", default=spec.required)
    if "sessions" in spec.options and raw.get("sessions") is not None:
        options["sessions"] = in_range(integer(raw["sessions"], f"{path}.sessions", minimum=1),
                                       f"{path}.sessions", "sessions")
    if "window_days" in spec.options and "window_days" in raw:
        options["window_days"] = _window(raw["window_days"], f"{path}.window_days",
                                         options.get("scope", spec.scope))
    return options


# --------------------------------------------------------------------------- #
# Binding: the check object a phase's criterion calls
# --------------------------------------------------------------------------- #


def _bind(code: str, spec: CriterionSpec, title: str, source: str, value: Decimal, *, scope: str,
          required: bool, window, sessions, lsi_window: int) -> CriterionCheck:
    f = None if spec.field is None else _ALL_FIELDS[spec.field]
    key = spec.key or (f.name if f else code)
    words = spec.words.get(scope, spec.words) if spec.kind == "reading" else spec.words
    words = words or generated_words(spec, f, scope=scope, window=window)
    cls = CRITERION_KINDS[spec.kind]
    if spec.kind == "recent_sessions":
        return cls(code, title, source, value, field=f, compare=spec.compare, sessions=sessions, words=words)
    if spec.kind == "stint_count":
        return cls(code, title, source, value, field=f, at_least=spec.at_least, key=key, words=words)
    if spec.kind == "context_value":
        return cls(code, title, source, value, field=f, compare=spec.compare, missing=spec.missing, words=words)
    window = lsi_window if window == "measurement" else window
    return cls(code, title, source, value, field=f, compare=spec.compare, scope=scope, window=window,
               required=required, lsi_window=lsi_window, key=key, extras=spec.extras, words=words)


def generated_words(spec: CriterionSpec, f: Field | None, *, scope: str, window) -> dict:
    """The wording of a clinic's own criterion, from its field's label and unit."""
    if spec.kind == "recent_sessions":
        return {"head": f.head}
    label = f.label if f else "session"
    unit = f.unit if f else ""
    u = "%" if unit.startswith("%") else ""
    need = f"{{need}}{u} or more needed" if spec.compare == "min" else f"{{need}}{u} or less needed"
    if spec.kind == "stint_count":
        return _count_words(f, spec.at_least)
    if spec.kind == "context_value":
        found = f"{{count}}; {need}." if f.noun else f"{capitalised(label)} {{value}}{unit}; {need}."
        none = (f"{capitalised(label)} not known; {need}." if spec.missing == "not_met"
                else f"No {label} known, so this criterion does not apply.")
        return {"found": found, "none": none}
    return _reading_words(label, unit, need, scope, window)


def _count_words(f: Field | None, at_least) -> dict:
    if f is None:
        return {"noun": "session", "message": _MORE}
    if at_least is not None:
        u = "%" if f.unit.startswith("%") else ""
        return {"noun": "session", "suffix": f" with {f.label} of {fmt(at_least)}{u} or more", "message": _MORE}
    return {"noun": f.noun or f"session with {f.label}", "suffix": f.noun_suffix, "message": _MORE}


def _reading_words(label: str, unit: str, need: str, scope: str, window) -> dict:
    where = {"latest": "in the latest session", "best": "in this phase"}.get(scope, "in this stint")
    if scope == "most_recent" and window is not None:
        where = "within {window} days before {today}"
    if scope == "latest":
        found = f"{capitalised(label)} in the latest session ({{date}}): {{value}}{unit}; {need}."
    elif scope == "best":
        found = f"Highest {label} in this phase: {{value}}{unit} ({{date}}); {need}."
    else:
        recent = "the most recent within {window} days" if window is not None else "the most recent in this stint"
        found = f"{capitalised(label)} {{value}}{unit} on {{date}} ({recent}); {need}."
    return {"found": found, "none": f"No {label} recorded {where}; {need}.",
            "none_optional": f"No {label} recorded {where}, and none is required."}
