"""The week prescription: which days, and what on each, for a plan's phase.

Training days are ISO weekdays (1 = Monday ... 7 = Sunday). Default days come
from the phase's data: its ``default_days`` when given, otherwise derived from
``sessions_per_week.min`` and ``min_hours_between`` (the most evenly spread days
that respect the spacing, weekdays before weekends). Days the caller chooses are
checked against the phase's count and spacing (the gap into next week counts
too); a break is reported in ``warnings``, never refused.

Where the athlete's maximal velocity (``vmax_mps``) is known, a running item
with an intensity range gets target speeds (Vmax x %, 2 decimals) and splits:
the time to cover the timed distance (the fly / hold zone when the item has
one, otherwise the run's distance) at the top and at the bottom of the target
speed range, for each end of the distance range.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from .days import DAY_NAMES, gaps, spacing_problems
from .model import ItemTemplate, Phase, Protocol
from .types import jsonable, to_decimal

__all__ = [
    "DayPrescription",
    "PrescriptionItem",
    "Split",
    "WeekPrescription",
    "default_training_days",
    "spacing_problems",
    "week_prescription",
]

_Q2 = Decimal("0.01")
_HUNDRED = Decimal(100)
_DAY_NAMES = DAY_NAMES


@dataclass(frozen=True, slots=True)
class Split:
    distance_m: Decimal
    split_s_min: Decimal  # at the top of the target speed range
    split_s_max: Decimal  # at the bottom of the target speed range

    def to_dict(self) -> dict:
        return jsonable(
            {"distance_m": self.distance_m, "split_s_min": self.split_s_min, "split_s_max": self.split_s_max}
        )


@dataclass(frozen=True, slots=True)
class PrescriptionItem:
    block: str
    name: str
    description: str | None = None
    sets: str | None = None  # display: "3" or "2-3"
    reps: str | None = None
    distance_m: str | None = None
    build_m: str | None = None
    fly_m: str | None = None
    sets_min: Decimal | None = None
    sets_max: Decimal | None = None
    reps_min: Decimal | None = None
    reps_max: Decimal | None = None
    distance_m_min: Decimal | None = None
    distance_m_max: Decimal | None = None
    build_m_min: Decimal | None = None
    build_m_max: Decimal | None = None
    fly_m_min: Decimal | None = None
    fly_m_max: Decimal | None = None
    intensity_pct_min: Decimal | None = None
    intensity_pct_max: Decimal | None = None
    rest_s_min: Decimal | None = None
    rest_s_max: Decimal | None = None
    notes: str | None = None
    time_s: str | None = None  # display: "30" or "30-45" (seconds)
    time_s_min: Decimal | None = None
    time_s_max: Decimal | None = None
    load: str | None = None
    progression: str | None = None
    clinician_note: str | None = None  # for clinicians only
    target_speed_mps_min: Decimal | None = None
    target_speed_mps_max: Decimal | None = None
    splits: tuple[Split, ...] = ()

    @property
    def split_s(self) -> str | None:
        """The splits as text, e.g. "11.11-13.33 s over 60 m; 14.81-17.78 s over 80 m" (None without Vmax)."""
        if not self.splits:
            return None
        return "; ".join(
            f"{s.split_s_min}-{s.split_s_max} s over {_plain(s.distance_m)} m"
            if s.split_s_min != s.split_s_max
            else f"{s.split_s_min} s over {_plain(s.distance_m)} m"
            for s in self.splits
        )

    def to_dict(self) -> dict:
        d = {}
        for name in self.__slots__:
            v = getattr(self, name)
            d[name] = [s.to_dict() for s in v] if name == "splits" else jsonable(v)
        d["split_s"] = self.split_s
        return d


@dataclass(frozen=True, slots=True)
class DayPrescription:
    date: datetime.date
    weekday: int  # ISO 1-7
    items: tuple[PrescriptionItem, ...]

    @property
    def weekday_name(self) -> str:
        return _DAY_NAMES[self.weekday - 1]

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "weekday": self.weekday,
            "weekday_name": self.weekday_name,
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True, slots=True)
class WeekPrescription:
    protocol_slug: str
    protocol_version: int
    phase: int
    phase_name: str
    focus: str  # "Phase 2: accelerations and strides"
    iso_year: int
    iso_week: int
    training_days: tuple[int, ...]
    days: tuple[DayPrescription, ...]
    warnings: tuple[str, ...]
    vmax_mps: Decimal | None = None

    def to_dict(self) -> dict:
        return {
            "protocol": self.protocol_slug,
            "version": self.protocol_version,
            "phase": self.phase,
            "phase_name": self.phase_name,
            "focus": self.focus,
            "iso_year": self.iso_year,
            "iso_week": self.iso_week,
            "training_days": list(self.training_days),
            "days": [d.to_dict() for d in self.days],
            "warnings": list(self.warnings),
            "vmax_mps": jsonable(self.vmax_mps),
        }


# --------------------------------------------------------------------------- #
# Days
# --------------------------------------------------------------------------- #


def default_training_days(phase: Phase) -> tuple[int, ...]:
    """The phase's default training days (ISO weekdays)."""
    if phase.default_days:
        return phase.default_days
    n = phase.sessions_per_week_min
    need = phase.min_hours_between or 0
    best_key = None
    best = None
    for combo in combinations(range(1, 8), n):
        if spacing_problems(combo, need):
            continue
        spread = [g for _, _, g in gaps(combo)] or [7]
        key = (-min(spread), sum(1 for d in combo if d > 5), combo)
        if best_key is None or key < best_key:
            best_key, best = key, combo
    if best is None:  # spacing cannot be met with this many days: spread as evenly as possible
        best = tuple(sorted({1 + (i * 7) // n for i in range(n)}))
    return best


# --------------------------------------------------------------------------- #
# Items
# --------------------------------------------------------------------------- #


def _show(r: tuple[Decimal, Decimal] | None) -> str | None:
    if r is None:
        return None
    lo, hi = (_plain(x) for x in r)
    return lo if lo == hi else f"{lo}-{hi}"


def _plain(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(int(d))
    return str(d.normalize())


def _lo(r):
    return r[0] if r is not None else None


def _hi(r):
    return r[1] if r is not None else None


def _item(t: ItemTemplate, vmax: Decimal | None) -> PrescriptionItem:
    speed_min = speed_max = None
    splits: tuple[Split, ...] = ()
    if vmax is not None and t.intensity_pct is not None:
        s_lo = vmax * t.intensity_pct[0] / _HUNDRED
        s_hi = vmax * t.intensity_pct[1] / _HUNDRED
        speed_min = s_lo.quantize(_Q2, rounding=ROUND_HALF_UP)
        speed_max = s_hi.quantize(_Q2, rounding=ROUND_HALF_UP)
        timed = t.fly_m if t.fly_m is not None else t.distance_m
        if timed is not None and s_lo > 0:
            dists = (timed[0],) if timed[0] == timed[1] else timed
            splits = tuple(
                Split(
                    distance_m=d,
                    split_s_min=(d / s_hi).quantize(_Q2, rounding=ROUND_HALF_UP),
                    split_s_max=(d / s_lo).quantize(_Q2, rounding=ROUND_HALF_UP),
                )
                for d in dists
            )
    return PrescriptionItem(
        block=t.block,
        name=t.name,
        description=t.description,
        sets=_show(t.sets),
        reps=_show(t.reps),
        distance_m=_show(t.distance_m),
        build_m=_show(t.build_m),
        fly_m=_show(t.fly_m),
        sets_min=_lo(t.sets),
        sets_max=_hi(t.sets),
        reps_min=_lo(t.reps),
        reps_max=_hi(t.reps),
        distance_m_min=_lo(t.distance_m),
        distance_m_max=_hi(t.distance_m),
        build_m_min=_lo(t.build_m),
        build_m_max=_hi(t.build_m),
        fly_m_min=_lo(t.fly_m),
        fly_m_max=_hi(t.fly_m),
        intensity_pct_min=_lo(t.intensity_pct),
        intensity_pct_max=_hi(t.intensity_pct),
        rest_s_min=_lo(t.rest_s),
        rest_s_max=_hi(t.rest_s),
        notes=t.notes,
        time_s=_show(t.time_s),
        time_s_min=_lo(t.time_s),
        time_s_max=_hi(t.time_s),
        load=t.load,
        progression=t.progression,
        clinician_note=t.clinician_note,
        target_speed_mps_min=speed_min,
        target_speed_mps_max=speed_max,
        splits=splits,
    )


def _chosen_days(ph: Phase, training_days: Sequence[int]) -> tuple[tuple[int, ...], list[str]]:
    """The days a coach chose, sorted, and the warnings about their count and spacing (never refused)."""
    days_l = list(training_days)
    for d in days_l:
        if type(d) is not int or not 1 <= d <= 7:
            raise ValueError(f"training_days must be ISO weekdays 1-7, got {d!r}")
    if len(set(days_l)) != len(days_l):
        raise ValueError(f"training_days has a day twice: {days_l!r}")
    days = tuple(sorted(days_l))
    warnings = []
    lo, hi = ph.sessions_per_week_min, ph.sessions_per_week_max
    if not lo <= len(days) <= hi:
        planned = str(lo) if lo == hi else f"{lo}-{hi}"
        warnings.append(
            f"{len(days)} training day{'s' if len(days) != 1 else ''} chosen; "
            f"Phase {ph.number} plans {planned} sessions a week."
        )
    note = f" ({ph.spacing_note})" if ph.spacing_note else ""
    warnings.extend(problem[:-1] + note + "." for problem in spacing_problems(days, ph.min_hours_between))
    return days, warnings


def _day_items(all_items: list, ordinal: int, n: int) -> tuple[PrescriptionItem, ...]:
    """The items of the ``ordinal``-th of ``n`` sessions: every-session items, and an item for session k on the
    k-th day (with fewer days, on the last)."""
    return tuple(item for item, sessions in all_items
                 if sessions is None or any(min(k, n) == ordinal for k in sessions))


def week_prescription(
    protocol: Protocol,
    *,
    phase: int,
    iso_year: int,
    iso_week: int,
    training_days: Sequence[int] | None = None,
    vmax_mps: Decimal | None = None,
) -> WeekPrescription:
    """The week's sessions for a plan in ``phase`` (any phase of any protocol), ISO week ``iso_year``-W``iso_week``."""
    ph = protocol.phase(phase)
    # validates the ISO week (raises ValueError for week 53 of a 52-week year, etc.)
    datetime.date.fromisocalendar(iso_year, iso_week, 1)
    if training_days is None:
        days, warnings = default_training_days(ph), []
    else:
        days, warnings = _chosen_days(ph, training_days)
    vmax = to_decimal(vmax_mps) if vmax_mps is not None else None
    if vmax is not None and vmax <= 0:
        raise ValueError(f"vmax_mps must be above 0, got {vmax_mps!r}")
    all_items = [(_item(t, vmax), t.sessions) for t in ph.items]
    out_days = tuple(
        DayPrescription(date=datetime.date.fromisocalendar(iso_year, iso_week, wd), weekday=wd,
                        items=_day_items(all_items, ordinal, len(days)))
        for ordinal, wd in enumerate(days, start=1)
    )
    return WeekPrescription(
        protocol_slug=protocol.slug,
        protocol_version=protocol.version,
        phase=ph.number,
        phase_name=ph.name,
        focus=f"Phase {ph.number}: {ph.focus}",
        iso_year=iso_year,
        iso_week=iso_week,
        training_days=tuple(days),
        days=out_days,
        warnings=tuple(warnings),
        vmax_mps=vmax,
    )
