"""Scenario files (``shared/scenarios/README.md``): strict parsing and replay.

``parse_scenario_document(text)`` validates everything and raises
:class:`ScenarioError` (one line, naming the scenario and the field) on the
first problem; ``run_scenarios(protocol, document)`` replays the scenarios
through :func:`~progression.engine.evaluate.evaluate` and compares them with
their ``expected`` keys.

Validation choices (README + PROTOCOL.md "Inputs per logged session"); the checks
and the scales are the protocol validator's (:mod:`.validation`, :mod:`.fields`):

* integers (``pain_during``, ``soreness_24h``, ``efforts_95``, ``phase``,
  ``to_phase``, ``days_since_rts``) must be JSON integers: ``true`` is not an
  integer and neither is ``3.0``;
* numbers may be integers or decimals, never booleans, ``NaN`` or ``Infinity``;
* ``full_session`` and ``red_flag`` are ``true``/``false`` (``null`` = false);
* every optional field may be ``null`` (= not recorded);
* dates are ``YYYY-MM-DD``;
* ``phase`` and ``expected.to_phase`` are phases of the protocol given to
  :func:`parse_scenario_document` (0-19 without one; :func:`run_scenarios`
  checks them against the protocol it replays with);
* a key given twice in one JSON object is an error (JSON would keep the last
  one silently);
* ``strength_method`` and ``ref`` are app-only fields of ``SessionInput``,
  not scenario fields: in a scenario they are unknown keys;
* the document may carry ``protocol`` (a string) beside ``scenarios``; any
  other top-level key is an error; ``scenarios`` may be an empty list.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .evaluate import evaluate
from .fields import CONTEXT_FIELDS, SESSION_FIELDS, Field
from .model import Protocol
from .types import Context, SessionInput
from .validation import MAX_PHASES, DataError, date, flag, got, in_range, integer, keys, number, obj

__all__ = ["Scenario", "ScenarioDocument", "ScenarioError", "parse_scenario_document", "run_scenarios"]


class ScenarioError(ValueError):
    """A malformed scenario file. ``str()`` is one line naming the scenario and the field."""

    def __init__(self, message: str, *, scenario_id: str | None = None, field: str | None = None):
        self.scenario_id = scenario_id
        self.field = field
        self.detail = message
        parts = []
        if scenario_id is not None:
            parts.append(f"scenario {json.dumps(scenario_id)}")
        if field is not None:
            parts.append(field)
        parts.append(message)
        super().__init__(": ".join(parts))


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    phase: int
    today: datetime.date
    history: tuple[SessionInput, ...]
    context: Context
    expected: Mapping[str, Any] | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ScenarioDocument:
    protocol: str | None
    scenarios: tuple[Scenario, ...]


# --------------------------------------------------------------------------- #
# JSON with duplicate-key detection and no NaN / Infinity
# --------------------------------------------------------------------------- #


class _Obj(dict):
    __slots__ = ("duplicates",)


def _pairs(pairs):
    found = _Obj()
    found.duplicates = []
    for k, v in pairs:
        if k in found:
            found.duplicates.append(k)
        found[k] = v
    return found


class _NonFinite:
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _plain(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _value(f: Field, v: Any, path: str):
    """One session or context value, as the field's scale allows (``null``: not recorded)."""
    if f.kind == "flag":
        return flag(v, path, default=False)
    optional = f.optional
    if f.kind == "integer":
        value = integer(v, path, optional=optional, minimum=None, strict=True)
    else:
        value = number(v, path, optional=True, minimum=None)
    if value is None:
        return None
    lo, hi = f.scale
    if hi is None:
        if value < lo:
            raise DataError(path, f"must be {lo} or more, got {value}")
        return value
    return in_range(value, path, (lo, hi))


_SESSION_KEYS = tuple(SESSION_FIELDS)  # strength_method and ref are app-only: unknown keys in a scenario
_OUTCOMES = ("advance", "hold", "regress")


def _parse_session(raw: Any, path: str) -> SessionInput:
    m = obj(raw, path)
    keys(m, path, ("date", "pain_during"), tuple(k for k in _SESSION_KEYS if k != "pain_during"))
    kw: dict[str, Any] = {"date": date(m["date"], f"{path}.date")}
    for name in _SESSION_KEYS:
        if name in m:
            kw[name] = _value(SESSION_FIELDS[name], m[name], f"{path}.{name}")
    return SessionInput(**kw)


def _parse_context(raw: Any) -> Context:
    if raw is None:
        return Context()
    m = obj(raw, "context")
    keys(m, "context", (), tuple(CONTEXT_FIELDS))
    return Context(**{name: _value(f, m[name], f"context.{name}") for name, f in CONTEXT_FIELDS.items()
                      if name in m})


def _parse_expected(raw: Any, max_phase: int) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    m = obj(raw, "expected")
    keys(m, "expected", (), ("outcome", "to_phase", "refer"))
    out: dict[str, Any] = {}
    if "outcome" in m:
        v = m["outcome"]
        if not isinstance(v, str) or v not in _OUTCOMES:
            raise DataError("expected.outcome", f'must be "advance", "hold" or "regress", got {got(v)}')
        out["outcome"] = v
    if "to_phase" in m:
        out["to_phase"] = integer(m["to_phase"], "expected.to_phase", optional=True, maximum=max_phase, strict=True)
    if "refer" in m:
        out["refer"] = flag(m["refer"], "expected.refer")
    return out


def _parse_history(raw: Any) -> tuple[SessionInput, ...]:
    if not isinstance(raw, list):
        raise DataError("history", f"must be a list of sessions, got {got(raw)}")
    if not raw:
        raise DataError("history", "must have at least one session")
    history = []
    for i, h in enumerate(raw):
        s = _parse_session(h, f"history[{i}]")
        if history and s.date < history[-1].date:
            raise DataError(f"history[{i}].date", f"dates must never decrease (oldest first): "
                                                  f"{s.date.isoformat()} comes after {history[-1].date.isoformat()}")
        history.append(s)
    return tuple(history)


def _scenario_id(m: Mapping, where: str, seen: dict[str, int], index: int) -> str:
    if "id" not in m:
        raise ScenarioError("is required", field=f"{where}.id")
    sid = m["id"]
    if not isinstance(sid, str) or not sid.strip():
        raise ScenarioError(f"must be a non-empty string, got {got(sid)}", field=f"{where}.id")
    if sid in seen:
        raise ScenarioError(f"duplicate id (also scenarios[{seen[sid]}])", scenario_id=sid, field="id")
    seen[sid] = index
    return sid


def _parse_scenario(raw: Any, index: int, seen: dict[str, int], max_phase: int) -> Scenario:
    where = f"scenarios[{index}]"
    try:
        m = obj(raw, where)
    except DataError as e:
        raise ScenarioError(e.detail, field=e.path) from None
    sid = _scenario_id(m, where, seen, index)
    try:
        return _scenario_body(m, sid, max_phase)
    except DataError as e:
        raise ScenarioError(e.detail, scenario_id=sid, field=e.path) from None


def _scenario_body(m: Mapping, sid: str, max_phase: int) -> Scenario:
    keys(m, "", ("id", "phase", "today", "history"), ("context", "note", "expected"))
    phase = integer(m["phase"], "phase", maximum=max_phase, strict=True)
    today = date(m["today"], "today")
    history = _parse_history(m["history"])
    if today < history[-1].date:
        raise DataError("today", f"must be on or after the latest session's date {history[-1].date.isoformat()}, "
                                 f"got {today.isoformat()}")
    context = _parse_context(m.get("context"))
    expected = _parse_expected(m.get("expected"), max_phase)
    note = m.get("note")
    if note is not None and not isinstance(note, str):
        raise DataError("note", f"must be a string, got {got(note)}")
    return Scenario(id=sid, phase=phase, today=today, history=history, context=context, expected=expected,
                    note=note)


def parse_scenario_document(text: str, *, protocol: Protocol | None = None) -> ScenarioDocument:
    """Parse and validate a scenario file's text. Raises :class:`ScenarioError`.

    ``phase`` and ``expected.to_phase`` must be phases of ``protocol`` when one is given, else 0-19 (a protocol has
    at most 20 phases; :func:`run_scenarios` checks them against the protocol it replays with)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(f"not UTF-8 text: {e}") from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_NonFinite, object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except (ValueError, RecursionError) as e:  # a 5,000-digit number; nesting deeper than Python's stack
        raise ScenarioError(f"invalid JSON: {str(e)[:200]}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(f'the file must hold a JSON object with a "scenarios" list, got {got(data)}')
    try:
        proto, raw = _top_level(data)
    except DataError as e:
        raise ScenarioError(e.detail, field=e.path) from None
    max_phase = protocol.last_phase if protocol is not None else MAX_PHASES - 1
    seen: dict[str, int] = {}
    scenarios = tuple(_parse_scenario(s, i, seen, max_phase) for i, s in enumerate(raw))
    return ScenarioDocument(protocol=proto, scenarios=scenarios)


def _top_level(data: Mapping) -> tuple[str | None, list]:
    obj(data, "")
    keys(data, "", ("scenarios",), ("protocol",))
    proto = data.get("protocol")
    if proto is not None and (not isinstance(proto, str) or not proto.strip()):
        raise DataError("protocol", f"must be a protocol slug (a string), got {got(proto)}")
    raw = data["scenarios"]
    if not isinstance(raw, list):
        raise DataError("scenarios", f"must be a list, got {got(raw)}")
    return proto, raw


def run_scenarios(protocol: Protocol, document: ScenarioDocument) -> tuple[dict, list[str]]:
    """Replay every scenario. Returns ``(output, mismatches)``: the output object
    ``{"protocol", "version", "results": [...]}`` and one message per expected key
    that differs, e.g. ``'A03: to_phase expected 0, got 1'``.

    A scenario whose phase the protocol does not have raises :class:`ScenarioError`.
    """
    results = []
    mismatches: list[str] = []
    last = protocol.last_phase
    for sc in document.scenarios:
        if sc.phase > last:
            raise ScenarioError(
                f"protocol {protocol.slug} has phases 0-{last}, got {sc.phase}",
                scenario_id=sc.id,
                field="phase",
            )
        d = evaluate(protocol, phase=sc.phase, history=sc.history, today=sc.today, context=sc.context)
        results.append(
            {
                "id": sc.id,
                "outcome": d.outcome.value,
                "from_phase": d.from_phase,
                "to_phase": d.to_phase,
                "refer": d.refer,
                "reasons": [r.to_dict() for r in d.reasons],
                "recommendations": [r.to_dict() for r in d.recommendations],
            }
        )
        if sc.expected:
            got = {"outcome": d.outcome.value, "to_phase": d.to_phase, "refer": d.refer}
            for key in ("outcome", "to_phase", "refer"):
                if key in sc.expected and sc.expected[key] != got[key]:
                    mismatches.append(
                        f"{sc.id}: {key} expected {_plain(sc.expected[key])}, got {_plain(got[key])}"
                    )
    return {"protocol": protocol.slug, "version": protocol.version, "results": results}, mismatches
