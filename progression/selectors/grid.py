"""The coach's week as a grid: athletes as rows, Monday to Sunday as columns, every cell's text worked out here
(the template only prints it: no include per cell).

A past day shows what was prescribed THAT day: the phase the plan was in at the start of the day, rebuilt from the
plan's applied phase changes (advances and regressions applied, advances signed off, overrides), read for every
plan in one query. A change counts from the day after it was applied (a session logged on the day of an advance
was the old phase's session).

The number of queries does not depend on the number of athletes: the plans with their flags (one query, the flags
are subqueries), the week's sessions (one), the phase changes (one), the projected returns (three, for all plans).
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from ..exports import dose_text, item_text
from ..models import Decision
from .projection import projected_returns
from .week import plan_week, week_rows

RUNNING_BLOCKS = ("sprint", "drill")
#: The marker the default protocol's version 1 puts on its stage notes: a note for clinicians, not for the field.
PRACTICE_DEFAULT = "(practice default)"


def public_notes(notes: str | None) -> str | None:
    """A note as the coach and the athlete see it: the clinicians' "(practice default)" marker left out."""
    if not notes:
        return notes
    text = notes.replace(PRACTICE_DEFAULT, "").strip().rstrip(";,").strip()
    return text or None


def _num(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f")


def _span(lo, hi, unit="") -> str:
    if lo is None:
        return ""
    return f"{_num(lo)}{unit}" if hi is None or lo == hi else f"{_num(lo)}-{_num(hi)}{unit}"


def key_dose(item) -> str:
    """The item's dose in one short line: '4-6 x 60 m Strides 70-75 %, 6.7-7.2 m/s', '3 x 8 Romanian deadlift'."""
    dose = dose_text(item)
    text = f"{dose} {item.name}" if dose else item.name
    if item.intensity_pct_min is not None:
        text += f" {_span(item.intensity_pct_min, item.intensity_pct_max)} %"
    if item.target_speed_mps_min is not None:
        lo, hi = (f"{v:.1f}" for v in (item.target_speed_mps_min, item.target_speed_mps_max))
        text += f", {lo if lo == hi else f'{lo}-{hi}'} m/s"
    return text


def _public_text(item, *, clinician: bool) -> str:
    """The full item in plain words; the clinicians' notes only for clinicians."""
    if clinician:
        note = getattr(item, "clinician_note", None)
        return item_text(item) + (f" [clinicians: {note}]" if note else "")
    if not item.notes or PRACTICE_DEFAULT not in item.notes:
        return item_text(item)
    notes = public_notes(item.notes)
    text = item_text(item)
    return text.replace(f" - {item.notes}", f" - {notes}" if notes else "")


def logged_text(log) -> str:
    """A logged session in one line: 'Logged: pain 1, RPE 5 x 40 min, technique 80 %, soreness 1'."""
    text = f"Logged: pain {log.pain_during}, RPE {_num(log.rpe)} x {log.minutes} min"
    if log.technique is not None:
        text += f", technique {log.technique} %"
    if log.peak_speed_pct is not None:
        text += f", peak {_num(log.peak_speed_pct)} %"
    report = getattr(log, "symptom_report", None)
    if report is not None and report.voided_at is None:
        text += f", soreness {report.soreness_24h}"
    return text


@dataclass
class Cell:
    date: datetime.date
    past: bool
    today: bool
    phase: int | None = None  # the phase prescribed that day (None: no plan yet)
    lines: list[str] = field(default_factory=list)  # the key dose, one or two lines
    running: list[str] = field(default_factory=list)  # the full prescription, in plain words
    strength: list[str] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    log_ids: list[int] = field(default_factory=list)
    missed: bool = False  # a past training day with nothing logged

    @property
    def session(self) -> bool:
        return bool(self.running or self.strength)

    @property
    def other_phase(self) -> bool:
        return self.phase is not None and self.past and self._current != self.phase

    _current: int | None = None


@dataclass
class GridRow:
    plan: object
    athlete: object
    phase: int
    focus: str
    flags: list[tuple[str, str]]  # (css kind, words)
    cells: list[Cell]
    hold_reasons: list[str]
    warnings: list[str]
    rx: object = None  # the week in the plan's current phase (as the CSV, iCalendar and the Sunday email give it)
    back: object = None  # the projected return to sport (engine.Projection), or None


def _phase_changes(plans) -> dict[int, list[tuple[datetime.date, int, int]]]:
    """For each plan, its applied phase changes oldest first: (the local day it took effect, from, to). One query."""
    changed = (Q(status=Decision.Status.APPLIED, outcome__in=[Decision.Outcome.ADVANCE, Decision.Outcome.REGRESS],
                 to_phase__isnull=False)
               | Q(status=Decision.Status.SIGNED_OFF, to_phase__isnull=False)
               | Q(status=Decision.Status.OVERRIDDEN, override_to_phase__isnull=False))
    tz = {p.pk: p.injury.athlete.organisation.tz for p in plans}
    out = defaultdict(list)
    rows = (Decision.objects.filter(changed, plan__in=[p.pk for p in plans])
            .order_by("plan_id", "created_at", "id")
            .values_list("plan_id", "status", "decided_on", "reviewed_at", "from_phase", "to_phase",
                         "override_to_phase", "created_at"))
    for plan_id, status, decided_on, reviewed_at, from_phase, to_phase, override_to, created_at in rows:
        if status == Decision.Status.APPLIED:
            when, new = decided_on, to_phase
        else:
            when = (reviewed_at or created_at).astimezone(tz[plan_id]).date()
            new = override_to if status == Decision.Status.OVERRIDDEN else to_phase
        out[plan_id].append((when, reviewed_at or created_at, from_phase, new))
    # sign-offs and overrides happen after their decision was made: order by when each took effect
    return {pk: [(w, f, n) for w, _, f, n in sorted(v, key=lambda c: c[1])] for pk, v in out.items()}


def phase_on(changes, day: datetime.date, current: int) -> int:
    """The phase a plan was in at the start of `day`: after the last change applied before that day; before the
    first change, that change's starting phase; with no change, the current phase."""
    if not changes:
        return current
    phase = changes[0][1]
    for when, _from, to in changes:
        if when < day:
            phase = to
        else:
            break
    return phase


def _cell_from(day_rx, cell: Cell, *, clinician: bool) -> None:
    items = day_rx.items
    running = [i for i in items if i.block in RUNNING_BLOCKS]
    other = [i for i in items if i.block not in RUNNING_BLOCKS]
    cell.running = [_public_text(i, clinician=clinician) for i in running]
    cell.strength = [_public_text(i, clinician=clinician) for i in other]
    key = next((i for i in running if i.block == "sprint"), None) or (running or other or [None])[0]
    if key is None:
        return
    cell.lines.append(key_dose(key))
    rest = len(running) - (1 if key in running else 0)
    more = []
    if rest:
        more.append(f"+{rest} running/drill{'s' if rest > 1 else ''}")
    n_sc = len(other) - (1 if key in other else 0)
    if n_sc:
        more.append(f"{n_sc} S&C")
    if more:
        cell.lines.append(", ".join(more))


def _flags(plan) -> list[tuple[str, str]]:
    flags = []
    if plan.review_pending:
        flags.append(("bad", "Red flag: review pending"))
    if plan.awaiting_signoff:
        flags.append(("warn", "Sign-off pending"))
    if plan.overdue_reports:
        n = plan.overdue_reports
        flags.append(("warn", f"{n} next-morning report{'s' if n > 1 else ''} overdue"))
    return flags


def _cells(plan, rx, changes, days, *, today, year, week, clinician) -> list[Cell]:
    """The plan's seven cells: each day in the phase of that day, with what was logged."""
    by_phase = {plan.current_phase: rx}
    logs = defaultdict(list)
    for log in plan.week_logs:
        logs[log.date].append(log)
    cells = []
    for day in days:
        cell = Cell(date=day, past=day < today, today=day == today)
        cell._current = plan.current_phase
        if day >= plan.start_date:
            cell.phase = plan.current_phase if day >= today else phase_on(changes, day, plan.current_phase)
            if cell.phase not in by_phase:
                by_phase[cell.phase] = plan_week_in_phase(plan, cell.phase, year, week)
            day_rx = next((d for d in by_phase[cell.phase].days if d.date == day), None)
            if day_rx is not None:
                _cell_from(day_rx, cell, clinician=clinician)
        for log in logs.get(day, ()):
            cell.logged.append(logged_text(log))
            cell.log_ids.append(log.pk)
        cell.missed = cell.past and cell.session and not cell.logged
        cells.append(cell)
    return cells


def week_grid(*, user, team_id, year: int, week: int, today: datetime.date, phase: int | None = None,
              clinician: bool = False) -> dict:
    """The grid of the ISO week: rows grouped by the plan's current phase (only `phase` when given)."""
    rows = week_rows(user=user, team_id=team_id, year=year, week=week, flags_on=today)
    plans = [p for p, _ in rows]
    changes = _phase_changes(plans)
    back = projected_returns(plans, today)
    monday = datetime.date.fromisocalendar(year, week, 1)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    out = [
        GridRow(plan=plan, athlete=plan.injury.athlete, phase=plan.current_phase, focus=rx.focus, flags=_flags(plan),
                cells=_cells(plan, rx, changes.get(plan.pk), days, today=today, year=year, week=week,
                             clinician=clinician),
                hold_reasons=plan.hold_reasons, warnings=list(rx.warnings), rx=rx, back=back.get(plan.pk))
        for plan, rx in rows if phase is None or plan.current_phase == phase
    ]
    groups = []
    for ph in sorted({r.phase for r in out}):
        members = [r for r in out if r.phase == ph]
        groups.append({"phase": ph, "focus": members[0].focus, "rows": members})
    return {"days": days, "groups": groups, "count": len(out), "phases": sorted({p.current_phase for p in plans})}


def plan_week_in_phase(plan, phase: int, year: int, week: int):
    """The week's prescription as it would be in `phase` (a past phase of the plan): no query."""
    return plan_week(plan, iso_year=year, iso_week=week, phase=phase)
