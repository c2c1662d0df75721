"""The projected return-to-sport date: the earliest day the protocol allows from where a plan stands, and a likely
range that also reads this athlete's own record so far.

What "return to sport" means here
---------------------------------
Return to sport is the advance out of the protocol's clearance phase (``protocol.clearance_phase``: P5 of the
default protocol, "return-to-sport clearance", always signed off by a clinician). A protocol with no clearance
phase returns the athlete at discharge (the advance out of the last phase). A plan already past clearance (P6 of
the default, "return-to-performance surveillance") has returned; its projection is then of discharge, the plan's
end, and says that the athlete was cleared. A completed (discharged) plan has no projection (``None``).

The date projected is the day of the deciding advance: the morning after the last session the phase needs, when
its next-morning report arrives (rule 5 never advances on a session without one) and a clinician can sign it off.

How the earliest date is walked
-------------------------------
From ``today`` (or the day after the last session, if the athlete already trained today) the calendar is walked day
by day over the athlete's training weekdays (the plan's ``training_days``; none chosen: each phase's default days).
A day takes a session when it is a training day, at least the phase's ``min_hours_between`` after the previous
session (whole days: 48 h = 2 days; one session a day at most) and the ISO week has had fewer than the phase's
``sessions_per_week.max`` sessions (sessions already logged this week count). The current phase needs its
minimum sessions less the clean ones already banked at the end of the stint; every later phase up to the target
needs its minimum in full. A phase's minimum is ``min_sessions``, or more when another exit criterion counts
sessions (``min_full_sessions``: 2 full sessions need 2 sessions; a ``recent_sessions`` criterion over more
sessions). The first session of the next phase comes after the advance (the morning after), so the next day at
the earliest. The other criteria (strength, technique, speed) are assumed met on time: this is the earliest.

Floors: the protocol's soft time floor for the injury's grade and site (``time_floors``: a clearance earlier than
7-28 days after injury is flagged) and, after clearance, a phase's ``min_days_since_rts`` criterion: the exit is
then no earlier than the floor.

The likely range
----------------
Not every session counts: a hold (pain or soreness above the limits, a missing report, a load spike) adds a
session, a regression repeats a phase. The plan's record so far gives a rate: sessions held plus regressions (each
costing the current phase's minimum sessions) per clean session. With ``MIN_HISTORY`` or more judged sessions the
range is ``N + floor(N x rate / 2)`` to ``N + ceil(N x rate x 3 / 2)`` sessions for the ``N`` clean sessions still
needed (half to one and a half times the observed rate); with less history it is the stated default, ``N`` to
``N + ceil(N x DEFAULT_RATE)`` (``DEFAULT_RATE`` = 0.5: up to one session in two not counting, a practice
default). The extra sessions are spread over the remaining phases in turn, from the current one, and the calendar
walked again.

Inputs and outputs are plain values: :class:`PlanState` and :class:`History` in, :class:`Projection` out; the
helpers :func:`session_clean` and :func:`banked_sessions` judge sessions against a phase's limits.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from .load import time_floor
from .model import Protocol
from .phase_sessions import (
    banked_sessions,
    days_since_rts_floor,
    phase_sessions_needed,
    session_clean,
    session_pending,
)
from .prescription import default_training_days

__all__ = [
    "DEFAULT_RATE",
    "MIN_HISTORY",
    "History",
    "PlanState",
    "Projection",
    "banked_sessions",
    "phase_sessions_needed",
    "project_return",
    "session_clean",
    "session_pending",
]

#: With no record of this plan yet: up to one session in two may not count (practice default).
DEFAULT_RATE_NUM, DEFAULT_RATE_DEN = 1, 2
DEFAULT_RATE = DEFAULT_RATE_NUM / DEFAULT_RATE_DEN
#: Judged sessions (clean or held) needed before the athlete's own rate is used.
MIN_HISTORY = 3
#: The walk gives up after this many days (a training week the protocol cannot use).
_HORIZON_DAYS = 3660
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class PlanState:
    """Where a plan stands."""

    phase: int
    banked: int  # clean sessions at the end of the current stint (see banked_sessions)
    injury_date: datetime.date
    grade: int | None = None  # BAMIC 0-4; None: no time floor
    site: str | None = None  # "a" | "b" | "c" | None
    training_days: tuple[int, ...] | None = None  # ISO weekdays; None / empty: each phase's default days
    last_session: datetime.date | None = None
    week_sessions: int = 0  # sessions already logged in today's ISO week
    clearance_date: datetime.date | None = None  # when the plan was cleared (a plan past clearance)
    completed: bool = False  # discharged: no projection
    review_pending: bool = False  # a red flag waits for a clinician's review: no progress until then


@dataclass(frozen=True, slots=True)
class History:
    """The plan's record so far: sessions that counted, sessions that did not, regressions."""

    clean: int = 0
    held: int = 0
    regressions: int = 0

    @property
    def judged(self) -> int:
        return self.clean + self.held


@dataclass(frozen=True, slots=True)
class Projection:
    target: str  # "clearance" | "discharge"
    target_phase: int
    cleared: bool  # the plan is past clearance (the projection is then of discharge)
    clearance_date: datetime.date | None
    earliest: datetime.date
    likely_from: datetime.date
    likely_to: datetime.date
    sessions_needed: int  # clean sessions still needed, at the earliest
    sessions_likely: tuple[int, int]  # sessions, low and high end of the likely range
    floor_date: datetime.date | None  # the time floor (before clearance) or days-since-clearance floor
    summary: str
    reasons: tuple[str, ...] = field(default=())
    schedule: tuple[tuple[int, datetime.date, datetime.date], ...] = ()  # (phase, first session, advance day)

    @property
    def range_text(self) -> str:
        return date_range(self.likely_from, self.likely_to)

    def to_dict(self) -> dict:
        return {
            "target": self.target, "target_phase": self.target_phase, "cleared": self.cleared,
            "clearance_date": _iso(self.clearance_date), "earliest": self.earliest.isoformat(),
            "likely_from": self.likely_from.isoformat(), "likely_to": self.likely_to.isoformat(),
            "sessions_needed": self.sessions_needed, "sessions_likely": list(self.sessions_likely),
            "floor_date": _iso(self.floor_date), "summary": self.summary, "reasons": list(self.reasons),
            "schedule": [{"phase": p, "first_session": a.isoformat(), "advance": b.isoformat()}
                         for p, a, b in self.schedule],
        }


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d is not None else None


# --------------------------------------------------------------------------- #
# Words
# --------------------------------------------------------------------------- #


def day_text(d: datetime.date) -> str:
    """"Tue 15 Dec"."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


def date_range(a: datetime.date, b: datetime.date) -> str:
    """"15-22 Dec", "29 Dec-5 Jan", "15 Dec" (one day); no year, as the summary's dates (they are weeks ahead)."""
    if a == b:
        return f"{a.day} {_MONTHS[a.month - 1]}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}-{b.day} {_MONTHS[b.month - 1]}"
    return f"{a.day} {_MONTHS[a.month - 1]}-{b.day} {_MONTHS[b.month - 1]}"


def _sessions(n: int) -> str:
    return f"{n} session" if n == 1 else f"{n} sessions"


# --------------------------------------------------------------------------- #
# The walk
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _Walk:
    last: datetime.date | None
    week: tuple[int, int]
    week_count: int


def _phase_days(protocol: Protocol, n: int, training_days) -> tuple[int, ...]:
    return tuple(sorted(training_days)) if training_days else default_training_days(protocol.phase(n))


def _walk(protocol: Protocol, counts: list[tuple[int, int]], state: PlanState, today: datetime.date,
          cleared_on: datetime.date | None):
    """Walk the calendar for ``counts`` ((phase, sessions) in order). Returns the schedule ((phase, first session
    or advance day, advance day)) and the target's advance day, and the day clearance would fall on."""
    start = today
    if state.last_session is not None and state.last_session >= today:
        start = state.last_session + datetime.timedelta(days=1)
    iso = today.isocalendar()
    w = _Walk(last=state.last_session, week=(iso[0], iso[1]), week_count=state.week_sessions)
    day = start
    schedule = []
    advance = None
    for n, sessions in counts:
        ph = protocol.phase(n)
        days = set(_phase_days(protocol, n, state.training_days))
        gap = max(1, math.ceil((ph.min_hours_between or 0) / 24))
        cap = ph.sessions_per_week_max
        first = None
        done = 0
        guard = 0
        while done < sessions:
            guard += 1
            if guard > _HORIZON_DAYS:
                raise ValueError(f"Phase {n}: no training day fits its spacing and weekly cap")
            y, wk, wd = day.isocalendar()
            if (y, wk) != w.week:
                w.week, w.week_count = (y, wk), 0
            if wd in days and (w.last is None or (day - w.last).days >= gap) and w.week_count < cap:
                w.last = day
                w.week_count += 1
                done += 1
                first = first or day
            day += datetime.timedelta(days=1)
        # the advance: the morning after the last session (or now, if none was needed)
        advance = max(day, w.last + datetime.timedelta(days=1)) if w.last else day
        floor_days = days_since_rts_floor(ph)
        if floor_days is not None and cleared_on is not None:
            advance = max(advance, cleared_on + datetime.timedelta(days=floor_days))
        if ph.is_clearance:
            cleared_on = advance
        schedule.append((n, first or advance, advance))
        day = max(day, advance)
    return tuple(schedule), advance


def _spread(counts: list[tuple[int, int]], extra: int) -> list[tuple[int, int]]:
    """Add ``extra`` sessions over the phases in turn, from the current one."""
    out = [list(c) for c in counts]
    i = 0
    while extra > 0 and out:
        out[i % len(out)][1] += 1
        extra -= 1
        i += 1
    return [(n, s) for n, s in out]


def project_return(protocol: Protocol, state: PlanState, today: datetime.date,
                   history: History | None = None) -> Projection | None:
    """The projected return to sport (or, past clearance, discharge) of a plan; ``None`` for a completed plan."""
    if state.completed:
        return None
    protocol.phase(state.phase)  # validates
    clearance = protocol.clearance_phase
    cleared = clearance is not None and state.phase > clearance
    target_phase = clearance if clearance is not None and not cleared else protocol.last_phase
    target = "clearance" if clearance is not None and not cleared else "discharge"
    counts, lines = _phase_counts(protocol, state, target_phase)
    needed = sum(s for _, s in counts)
    cleared_on = state.clearance_date if cleared else None
    schedule, earliest = _walk(protocol, counts, state, today, cleared_on)
    reasons = _schedule_lines(lines, schedule, counts, state, today)
    # the time floor gates return to sport (clearance, or discharge without a clearance phase); after clearance,
    # the last phase's days since clearance
    floor_date, floor_line = (_time_floor(protocol, state, earliest, target) if not cleared
                              else _rts_days_floor(protocol, state, target_phase))
    if floor_line:
        reasons.append(floor_line)
    if floor_date is not None and not cleared:
        earliest = max(earliest, floor_date)
    lo_extra, hi_extra, line = _likely_extra(protocol, state, needed, history or History())
    reasons.append(line)
    lo = _walk(protocol, _spread(counts, lo_extra), state, today, cleared_on)[1] if lo_extra else earliest
    hi = _walk(protocol, _spread(counts, hi_extra), state, today, cleared_on)[1] if hi_extra else earliest
    lo, hi = max(lo, earliest), max(hi, earliest)
    reasons.append(f"Return to sport is the advance out of Phase {clearance} (clearance), decided the morning "
                   "after its last session." if clearance is not None else
                   f"This protocol has no clearance phase: return to sport is discharge from Phase {target_phase}.")
    reasons.append("Strength, technique and speed criteria are assumed met on time: any that is not adds "
                   "sessions.")
    if state.review_pending:
        reasons.insert(0, "A red flag waits for a clinician's review: the plan makes no progress until then; these "
                          "dates assume the review today.")
    return Projection(
        target=target, target_phase=target_phase, cleared=cleared, clearance_date=state.clearance_date,
        earliest=earliest, likely_from=lo, likely_to=hi, sessions_needed=needed,
        sessions_likely=(needed + lo_extra, needed + hi_extra), floor_date=floor_date,
        summary=_summary(state, target, cleared, earliest, lo, hi, needed), reasons=tuple(reasons),
        schedule=schedule,
    )


def _phase_counts(protocol: Protocol, state: PlanState, target_phase: int):
    counts, lines = [], []
    for n in range(state.phase, target_phase + 1):
        need = phase_sessions_needed(protocol.phase(n))
        name = protocol.phase(n).name
        if n == state.phase:
            banked = min(max(state.banked, 0), need)
            counts.append((n, need - banked))
            lines.append(f"Phase {n}, {name}: {_sessions(need)} needed, {banked} clean in this stint so far, "
                         f"{need - banked} to go")
        else:
            counts.append((n, need))
            lines.append(f"Phase {n}, {name}: {_sessions(need)}")
    return counts, lines


def _schedule_lines(lines, schedule, counts, state: PlanState, today: datetime.date) -> list[str]:
    out = []
    for line, (_n, first, advance), (_, sessions) in zip(lines, schedule, counts, strict=True):
        when = (f"sessions from {day_text(first)}, advance {day_text(advance)}" if sessions
                else f"advance {day_text(advance)} at the earliest")
        out.append(f"{line}: {when}.")
    days_desc = ("the athlete's training days " + "/".join(_DAYS[d - 1] for d in sorted(state.training_days))
                 if state.training_days else "each phase's default training days")
    out.append(f"The calendar is walked from {day_text(today)} over {days_desc}, with each phase's spacing "
               "between sessions and its weekly cap; a phase advances the morning after its last session.")
    return out


def _time_floor(protocol: Protocol, state: PlanState, earliest: datetime.date, target: str):
    fl = time_floor(protocol, grade=state.grade, site=state.site) if state.grade is not None else None
    if fl is None:
        return None, None
    what = "discharge" if target == "discharge" else "return-to-sport clearance"
    floor_date = state.injury_date + datetime.timedelta(days=fl.days)
    if floor_date > earliest:
        return floor_date, (
            f"Time floor: {fl.days} days after the injury on {day_text(state.injury_date)} "
            f"({fl.note or 'the protocol'}) is {day_text(floor_date)}; an earlier {what} would be flagged, so the "
            "projection waits for it.")
    return floor_date, f"Time floor: {fl.days} days after the injury ({day_text(floor_date)}), already passed by then."


def _rts_days_floor(protocol: Protocol, state: PlanState, target_phase: int):
    fd = days_since_rts_floor(protocol.phase(target_phase))
    if fd is None:
        return None, None
    if state.clearance_date is None:
        return None, f"At least {fd} days after clearance are needed; the clearance date is not known."
    floor_date = state.clearance_date + datetime.timedelta(days=fd)
    return floor_date, (f"At least {fd} days after clearance on {day_text(state.clearance_date)}: "
                        f"{day_text(floor_date)}.")


def _likely_extra(protocol: Protocol, state: PlanState, needed: int, h: History) -> tuple[int, int, str]:
    """Extra sessions at the low and high end of the likely range, and the line that says why."""
    if h.judged < MIN_HISTORY:
        hi_extra = -((-needed * DEFAULT_RATE_NUM) // DEFAULT_RATE_DEN)
        return 0, hi_extra, (
            f"Too little history in this plan ({h.judged} judged session{'s' if h.judged != 1 else ''}, "
            f"{MIN_HISTORY} needed): the likely range allows up to one session in two not counting "
            f"(0-{hi_extra} extra, a practice default).")
    cost = phase_sessions_needed(protocol.phase(state.phase))
    num, den = h.held + h.regressions * cost, max(h.clean, 1)
    lo_extra = (needed * num) // (2 * den)
    hi_extra = -((-needed * num * 3) // (2 * den))
    regressed = (f", {h.regressions} regression{'s' if h.regressions != 1 else ''} (each costing about "
                 f"{_sessions(cost)})" if h.regressions else "")
    return lo_extra, hi_extra, (
        f"This plan so far: {h.clean} clean, {_sessions(h.held)} that did not count{regressed}: {num / den:.2f} "
        f"lost per clean session; the likely range allows half to one and a half times that "
        f"({lo_extra}-{hi_extra} extra).")


def _summary(state: PlanState, target: str, cleared: bool, earliest, lo, hi, needed: int) -> str:
    more = f"{needed} more clean session{'s' if needed != 1 else ''}"
    head = "discharge " if target == "discharge" else ""
    summary = f"{head}earliest {day_text(earliest)}, likely {date_range(lo, hi)}: {more}"
    if cleared:
        cleared_on = f" on {day_text(state.clearance_date)}" if state.clearance_date else ""
        summary = f"cleared{cleared_on}; {summary}"
    return summary
