"""Scenario files (``shared/scenarios/README.md``): strict parsing and replay.

``parse_scenario_document(text)`` validates everything and raises
:class:`ScenarioError` (one line, naming the scenario and the field) on the
first problem; ``run_scenarios(protocol, document)`` replays the scenarios
through :func:`~progression.engine.evaluate.evaluate` and compares them with
their ``expected`` keys.

Validation choices (README + PROTOCOL.md "Inputs per logged session"):

* integers (``pain_during``, ``soreness_24h``, ``efforts_95``, ``phase``,
  ``to_phase``, ``days_since_rts``) must be JSON integers: ``true`` is not an
  integer and neither is ``3.0``;
* numbers may be integers or decimals, never booleans, ``NaN`` or ``Infinity``;
* ``full_session`` and ``red_flag`` are ``true``/``false`` (``null`` = false);
* every optional field may be ``null`` (= not recorded);
* dates are ``YYYY-MM-DD``;
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
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .evaluate import evaluate
from .protocol import Protocol
from .types import Context, SessionInput

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
    obj = _Obj()
    obj.duplicates = []
    for k, v in pairs:
        if k in obj:
            obj.duplicates.append(k)
        obj[k] = v
    return obj


class _NonFinite:
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _got(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, Mapping):
        return "an object"
    if isinstance(v, list):
        return "a list"
    return str(v)


def _plain(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Ctx:
    """Where we are: raises errors naming the scenario and the field."""

    __slots__ = ("sid",)

    def __init__(self, sid: str | None):
        self.sid = sid

    def err(self, field: str | None, message: str) -> ScenarioError:
        return ScenarioError(message, scenario_id=self.sid, field=field)

    def obj(self, v: Any, field: str) -> Mapping:
        if not isinstance(v, Mapping):
            raise self.err(field, f"must be an object, got {_got(v)}")
        if getattr(v, "duplicates", None):
            raise self.err(f"{field}.{v.duplicates[0]}" if field else v.duplicates[0], "key given twice")
        return v

    def date(self, v: Any, field: str) -> datetime.date:
        if not isinstance(v, str) or not _DATE_RE.match(v):
            raise self.err(field, f"must be an ISO date YYYY-MM-DD, got {_got(v)}")
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            raise self.err(field, f"must be an ISO date YYYY-MM-DD, got {_got(v)}") from None

    def int(self, v: Any, field: str, lo: int | None, hi: int | None, *, nullable: bool) -> int | None:
        if v is None and nullable:
            return None
        if type(v) is not int:
            raise self.err(field, f"must be {self._int_words(lo, hi, nullable)}, got {_got(v)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.err(field, f"must be {self._int_words(lo, hi, nullable)}, got {v}")
        return v

    @staticmethod
    def _int_words(lo, hi, nullable) -> str:
        if lo is not None and hi is not None:
            words = f"an integer {lo}-{hi}"
        elif lo is not None:
            words = f"an integer {lo} or more"
        else:
            words = "an integer"
        return words + (" or null" if nullable else "")

    def num(self, v: Any, field: str, lo: Decimal | int | None, hi: Decimal | int | None) -> Decimal | None:
        if v is None:
            return None
        rng = f" {lo}-{hi}" if hi is not None else (f" {lo} or more" if lo is not None else "")
        if isinstance(v, bool) or not isinstance(v, int | Decimal | float):
            raise self.err(field, f"must be a number{rng} or null, got {_got(v)}")
        d = v if type(v) is Decimal else Decimal(str(v))
        if not d.is_finite():
            raise self.err(field, f"must be a number{rng} or null, got {_got(v)}")
        if (lo is not None and d < lo) or (hi is not None and d > hi):
            raise self.err(field, f"must be a number{rng} or null, got {_got(v)}")
        return d

    def flag(self, v: Any, field: str) -> bool:
        if v is None:
            return False
        if not isinstance(v, bool):
            raise self.err(field, f"must be true, false or null, got {_got(v)}")
        return v

    def keys(self, m: Mapping, field: str, required: tuple, optional: tuple) -> None:
        for k in required:
            if k not in m:
                raise self.err(f"{field}.{k}" if field else k, "is required")
        allowed = set(required) | set(optional)
        for k in m:
            if k not in allowed:
                raise self.err(
                    f"{field}.{k}" if field else k,
                    f"unknown key (allowed: {', '.join(list(required) + list(optional))})",
                )


# field -> (kind, lo, hi); kind: int | int? | num | flag
_SESSION_FIELDS: dict[str, tuple[str, Any, Any]] = {
    "pain_during": ("int", 0, 10),
    "soreness_24h": ("int?", 0, 10),
    "strength_lsi": ("num", 0, 200),
    "technique": ("num", 0, 100),
    "technique_fresh": ("num", 0, 100),
    "technique_fatigued": ("num", 0, 100),
    "rpe": ("num", 0, 10),
    "minutes": ("num", 0, 600),
    "peak_speed_pct": ("num", 0, 120),
    "efforts_95": ("int?", 0, None),
    "full_session": ("flag", None, None),
    "red_flag": ("flag", None, None),
    "apprehension": ("num", 0, 100),
}
_SESSION_OPTIONAL = tuple(k for k in _SESSION_FIELDS if k != "pain_during")

_CONTEXT_FIELDS: dict[str, tuple[str, Any, Any]] = {
    "acwr": ("num", 0, None),
    "load_pct": ("num", 0, None),
    "days_since_rts": ("int?", 0, None),
}

_OUTCOMES = ("advance", "hold", "regress")
_PHASE_MAX = 6


def _parse_session(c: _Ctx, raw: Any, field: str) -> SessionInput:
    m = c.obj(raw, field)
    c.keys(m, field, ("date", "pain_during"), _SESSION_OPTIONAL)
    kw: dict[str, Any] = {"date": c.date(m["date"], f"{field}.date")}
    for name, (kind, lo, hi) in _SESSION_FIELDS.items():
        if name not in m:
            continue
        v = m[name]
        f = f"{field}.{name}"
        if kind == "int":
            kw[name] = c.int(v, f, lo, hi, nullable=False)
        elif kind == "int?":
            kw[name] = c.int(v, f, lo, hi, nullable=True)
        elif kind == "num":
            kw[name] = c.num(v, f, lo, hi)
        else:
            kw[name] = c.flag(v, f)
    return SessionInput(**kw)


def _parse_context(c: _Ctx, raw: Any) -> Context:
    if raw is None:
        return Context()
    m = c.obj(raw, "context")
    c.keys(m, "context", (), tuple(_CONTEXT_FIELDS))
    kw = {}
    for name, (kind, lo, hi) in _CONTEXT_FIELDS.items():
        if name not in m:
            continue
        if kind == "num":
            kw[name] = c.num(m[name], f"context.{name}", lo, hi)
        else:
            kw[name] = c.int(m[name], f"context.{name}", lo, hi, nullable=True)
    return Context(**kw)


def _parse_expected(c: _Ctx, raw: Any) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    m = c.obj(raw, "expected")
    c.keys(m, "expected", (), ("outcome", "to_phase", "refer"))
    out: dict[str, Any] = {}
    if "outcome" in m:
        v = m["outcome"]
        if v not in _OUTCOMES or not isinstance(v, str):
            raise c.err("expected.outcome", f'must be "advance", "hold" or "regress", got {_got(v)}')
        out["outcome"] = v
    if "to_phase" in m:
        out["to_phase"] = c.int(m["to_phase"], "expected.to_phase", 0, _PHASE_MAX, nullable=True)
    if "refer" in m:
        v = m["refer"]
        if not isinstance(v, bool):
            raise c.err("expected.refer", f"must be true or false, got {_got(v)}")
        out["refer"] = v
    return out


def _parse_scenario(raw: Any, index: int, seen: dict[str, int]) -> Scenario:
    where = f"scenarios[{index}]"
    c = _Ctx(None)
    m = c.obj(raw, where)
    if "id" not in m:
        raise c.err(f"{where}.id", "is required")
    sid = m["id"]
    if not isinstance(sid, str) or not sid.strip():
        raise c.err(f"{where}.id", f"must be a non-empty string, got {_got(sid)}")
    c = _Ctx(sid)
    if sid in seen:
        raise c.err("id", f"duplicate id (also scenarios[{seen[sid]}])")
    seen[sid] = index
    c.keys(m, "", ("id", "phase", "today", "history"), ("context", "note", "expected"))
    phase = c.int(m["phase"], "phase", 0, _PHASE_MAX, nullable=False)
    today = c.date(m["today"], "today")
    hist_raw = m["history"]
    if not isinstance(hist_raw, list):
        raise c.err("history", f"must be a list of sessions, got {_got(hist_raw)}")
    if not hist_raw:
        raise c.err("history", "must have at least one session")
    history = []
    prev: datetime.date | None = None
    for i, h in enumerate(hist_raw):
        s = _parse_session(c, h, f"history[{i}]")
        if prev is not None and s.date < prev:
            raise c.err(
                f"history[{i}].date",
                f"dates must never decrease (oldest first): {s.date.isoformat()} comes after {prev.isoformat()}",
            )
        prev = s.date
        history.append(s)
    if today < prev:
        raise c.err(
            "today",
            f"must be on or after the latest session's date {prev.isoformat()}, got {today.isoformat()}",
        )
    context = _parse_context(c, m.get("context"))
    expected = _parse_expected(c, m.get("expected"))
    note = m.get("note")
    if note is not None and not isinstance(note, str):
        raise c.err("note", f"must be a string, got {_got(note)}")
    return Scenario(
        id=sid,
        phase=phase,
        today=today,
        history=tuple(history),
        context=context,
        expected=expected,
        note=note,
    )


def parse_scenario_document(text: str) -> ScenarioDocument:
    """Parse and validate a scenario file's text. Raises :class:`ScenarioError`."""
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
    top = _Ctx(None)
    if not isinstance(data, Mapping):
        raise ScenarioError(f'the file must hold a JSON object with a "scenarios" list, got {_got(data)}')
    top.obj(data, "")
    top.keys(data, "", ("scenarios",), ("protocol",))
    proto = data.get("protocol")
    if proto is not None and (not isinstance(proto, str) or not proto.strip()):
        raise top.err("protocol", f"must be a protocol slug (a string), got {_got(proto)}")
    raw = data["scenarios"]
    if not isinstance(raw, list):
        raise top.err("scenarios", f"must be a list, got {_got(raw)}")
    seen: dict[str, int] = {}
    scenarios = tuple(_parse_scenario(s, i, seen) for i, s in enumerate(raw))
    return ScenarioDocument(protocol=proto, scenarios=scenarios)


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
