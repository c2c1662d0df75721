"""Value types of the engine: inputs, reasons, decisions.

All frozen dataclasses with slots. Numeric inputs are converted to ``Decimal``
with ``Decimal(str(x))`` so that 83.3 - 58.3 is exactly 25.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, NamedTuple

__all__ = [
    "Context",
    "Decision",
    "Outcome",
    "Reason",
    "Recommendation",
    "SessionInput",
    "Reading",
    "StrengthReading",
    "to_decimal",
    "jsonable",
]

_Decimal = Decimal
_date = datetime.date


def to_decimal(value: Any) -> Decimal | None:
    """``None`` stays ``None``; everything else becomes ``Decimal(str(value))``.

    Booleans are refused (``True`` is not a score).
    """
    if value is None:
        return None
    if type(value) is _Decimal:
        return value
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return Decimal(value)
    if isinstance(value, int | float | str):
        d = Decimal(str(value))
        if not d.is_finite():
            raise ValueError(f"expected a finite number, got {value!r}")
        return d
    raise TypeError(f"expected a number, got {value!r}")


def _int_decimal(d: Decimal) -> int | float:
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def jsonable(value: Any) -> Any:
    """Recursively turn a value into JSON-safe data.

    Decimals become ``int`` when integral, else ``float``; dates (and datetimes)
    become ISO strings; enums their value; tuples and lists lists; mappings
    dicts with string keys.
    """
    t = type(value)
    if value is None or t is str or t is int or t is bool or t is float:
        return value
    if t is _Decimal:
        return _int_decimal(value)
    if t is _date or isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if t is Reason:
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return _int_decimal(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


_SESSION_DECIMAL_FIELDS = (
    "strength_lsi",
    "technique",
    "technique_fresh",
    "technique_fatigued",
    "rpe",
    "minutes",
    "peak_speed_pct",
    "apprehension",
)


@dataclass(frozen=True, slots=True)
class SessionInput:
    """One logged session of the stint, as the engine reads it."""

    date: datetime.date
    pain_during: int
    soreness_24h: int | None = None
    strength_lsi: Decimal | None = None
    strength_method: str | None = None
    technique: Decimal | None = None
    technique_fresh: Decimal | None = None
    technique_fatigued: Decimal | None = None
    rpe: Decimal | None = None
    minutes: Decimal | None = None
    peak_speed_pct: Decimal | None = None
    efforts_95: int | None = None
    full_session: bool = False
    red_flag: bool = False
    apprehension: Decimal | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        for name in _SESSION_DECIMAL_FIELDS:
            v = getattr(self, name)
            if v is not None and type(v) is not _Decimal:
                object.__setattr__(self, name, to_decimal(v))
        # ints may arrive as integral Decimals from an ORM; keep them exact ints
        for name in ("pain_during", "soreness_24h", "efforts_95"):
            v = getattr(self, name)
            if v is not None and type(v) is not int:
                if isinstance(v, bool):
                    raise TypeError(f"{name}: expected an integer, got {v!r}")
                d = to_decimal(v)
                if d != d.to_integral_value():
                    raise ValueError(f"{name}: expected an integer, got {v!r}")
                object.__setattr__(self, name, int(d))
        object.__setattr__(self, "full_session", bool(self.full_session))
        object.__setattr__(self, "red_flag", bool(self.red_flag))


@dataclass(frozen=True, slots=True)
class StrengthReading:
    """An LSI reading that did not come with a logged session (e.g. a clinic assessment).

    App-only extension: ``evaluate(..., strength_readings=...)`` merges these with the
    sessions' own ``strength_lsi`` readings (by date; on the same date, session readings
    first). ``strength_lsi`` / ``strength_method`` alias ``lsi`` / ``method`` so the rules
    read both kinds alike.
    """

    date: datetime.date
    lsi: Decimal
    method: str | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        if self.lsi is None:
            raise ValueError("lsi: a strength reading needs a value")
        if type(self.lsi) is not _Decimal:
            object.__setattr__(self, "lsi", to_decimal(self.lsi))

    @property
    def strength_lsi(self) -> Decimal:
        return self.lsi

    @property
    def strength_method(self) -> str | None:
        return self.method

    @property
    def apprehension(self) -> None:
        return None

    @property
    def technique(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Reading:
    """Measurements that came without a logged session: a clinic assessment, an import (app only).

    Any of ``strength_lsi`` (with its ``strength_method``), ``apprehension`` (H-test, 0-100) and ``technique``
    (% of the checklist) may be set. ``evaluate(..., readings=...)`` merges them with the sessions' own values
    by date (on the same date the reading counts as the more recent): the strength rules and the LSI criterion
    read the LSIs, the technique criterion the technique scores, the apprehension rule and criterion the
    apprehension scores.
    """

    date: datetime.date
    strength_lsi: Decimal | None = None
    strength_method: str | None = None
    apprehension: Decimal | None = None
    technique: Decimal | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        for name in ("strength_lsi", "apprehension", "technique"):
            v = getattr(self, name)
            if v is not None and type(v) is not _Decimal:
                object.__setattr__(self, name, to_decimal(v))


@dataclass(frozen=True, slots=True)
class Context:
    """What the plan knows beside the sessions."""

    acwr: Decimal | None = None
    load_pct: Decimal | None = None
    days_since_rts: int | None = None
    review_pending: bool = False

    def __post_init__(self) -> None:
        for name in ("acwr", "load_pct"):
            v = getattr(self, name)
            if v is not None and type(v) is not _Decimal:
                object.__setattr__(self, name, to_decimal(v))
        v = self.days_since_rts
        if v is not None and type(v) is not int:
            if isinstance(v, bool):
                raise TypeError(f"days_since_rts: expected an integer, got {v!r}")
            d = to_decimal(v)
            if d != d.to_integral_value():
                raise ValueError(f"days_since_rts: expected an integer, got {v!r}")
            object.__setattr__(self, "days_since_rts", int(d))


class Outcome(StrEnum):
    """A ``str`` and an ``Enum`` (``StrEnum``): ``Outcome.HOLD == "hold"``, ``str()`` is the value."""

    ADVANCE = "advance"
    HOLD = "hold"
    REGRESS = "regress"


class Reason(NamedTuple):
    """One line of the explanation: a rule, an exit criterion or a gate.

    Immutable, with attribute access, like the other value types; a named tuple because the engine builds a dozen
    per decision and a tuple is the fastest immutable object to build."""

    code: str
    kind: str
    number: int | None
    title: str
    status: str
    message: str
    values: Mapping[str, Any]
    source: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "message": self.message,
            "values": jsonable(self.values),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    from_phase: int
    to_phase: int | None
    refer: bool
    decided_by: str
    reasons: tuple[Reason, ...]
    recommendations: tuple[Recommendation, ...]
    protocol_slug: str
    protocol_version: int

    @property
    def discharged(self) -> bool:
        """Advancing from the last phase discharges the plan."""
        return self.outcome is Outcome.ADVANCE and self.to_phase is None

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "from_phase": self.from_phase,
            "to_phase": self.to_phase,
            "refer": self.refer,
            "decided_by": self.decided_by,
            "reasons": [r.to_dict() for r in self.reasons],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "protocol": self.protocol_slug,
            "version": self.protocol_version,
        }
