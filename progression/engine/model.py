"""The parsed, immutable protocol: :class:`Protocol` and its :class:`Phase`, :class:`ItemTemplate`,
:class:`LoadParams` and :class:`TimeFloor` (rules and criteria: :mod:`.rules`, :mod:`.criteria`).

The shape of the protocol is data: how many phases, which phase's advance is return-to-sport clearance
(:attr:`Protocol.clearance_phase`), that advancing from the last phase is discharge, which phases need a
clinician's sign-off to advance, which refer on a regression, and which exit criteria each has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .criteria import Criterion
from .rules import RuleSpec

__all__ = ["ItemTemplate", "LoadParams", "Phase", "Protocol", "TimeFloor"]


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
    # The dose of a strength and conditioning item (sets and reps above, or a time), in words for the field:
    time_s: tuple[Decimal, Decimal] | None = None  # a hold, a set or a bout, in seconds
    load: str | None = None  # load guidance: "RPE 6-7", "bodyweight, pain-free range"
    progression: str | None = None  # how it moves on within the phase: "add a set each week"
    clinician_note: str | None = None  # for clinicians only (where a number comes from): never shown to the field


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
    is_clearance: bool = False  # advancing from this phase is return-to-sport clearance
    is_last: bool = False  # advancing from this phase is discharge: the plan is then complete
    after_clearance: bool = False  # a plan here has been cleared (its exit may count days since clearance)
    exit_checks: tuple[Callable, ...] = field(default=(), compare=False, repr=False)  # each criterion's check

    def __post_init__(self) -> None:
        object.__setattr__(self, "exit_checks", tuple(c.check.__call__ for c in self.exit))

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
    clearance_phase: int | None = None  # the phase whose advance is return-to-sport clearance
    late_warning_rules: tuple[RuleSpec, ...] = ()  # the rules a late warning sign is checked against
    rule_checks: tuple[Callable, ...] = field(default=(), compare=False, repr=False)  # each rule's check, in order

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_checks", tuple(r.check.__call__ for r in self.rules))

    def phase(self, n: int) -> Phase:
        if type(n) is not int or n < 0 or n >= len(self.phases):
            raise ValueError(f"phase must be an integer 0-{len(self.phases) - 1}, got {n!r}")
        return self.phases[n]

    @property
    def last_phase(self) -> int:
        """The last phase's number: advancing from it is discharge."""
        return len(self.phases) - 1

    @property
    def sign_off_phases(self) -> tuple[int, ...]:
        """The phases whose advance always waits for a clinician's sign-off."""
        return tuple(p.number for p in self.phases if p.sign_off_to_advance)

    def after_clearance(self, n: int) -> bool:
        """Is phase ``n`` after return-to-sport clearance (a plan there has a clearance date)?"""
        return self.clearance_phase is not None and n > self.clearance_phase

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
