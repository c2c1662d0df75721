"""Exports of the coach's week: CSV and iCalendar, as pure functions of the week rows.

`rows` is what the coach's week page shows: a list of `(plan, WeekPrescription)` pairs (see
`progression.selectors.week_rows`). Nothing here queries the database beyond the plan's
`injury.athlete.team`, which the week rows already select; nothing reads settings or the clock
unless the caller leaves `dtstamp` out.

- CSV (RFC 4180, CRLF rows): one row per prescribed item per training day; an athlete with no
  session that week gets one row with the day columns empty. Numbers as plain decimals.
- iCalendar (RFC 5545), built with the `icalendar` package: one all-day VEVENT per athlete and training day
  (`DTSTART;VALUE=DATE`), a UID stable per athlete and day (a re-sent week updates the same event
  instead of adding one).
"""
from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

import icalendar

from core import clock

CSV_COLUMNS = [
    "team", "athlete", "phase", "focus", "date", "weekday", "block", "item", "sets", "reps", "distance_m",
    "build_m", "fly_m", "intensity_pct_min", "intensity_pct_max", "rest_s_min", "rest_s_max",
    "target_speed_mps_min", "target_speed_mps_max", "splits", "notes", "time_s_min", "time_s_max", "load",
    "progression",
]

PRODID = "-//Sprint Rehab//Week prescription//EN"


# --- shared --------------------------------------------------------------------------------------------

def _num(value) -> str:
    """A number as people write it: 60, 8.55, 2.5 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    return str(value)


def _range(lo, hi, unit: str = "") -> str:
    if lo is None and hi is None:
        return ""
    if hi is None or lo == hi:
        return f"{_num(lo)}{unit}"
    if lo is None:
        return f"{_num(hi)}{unit}"
    return f"{_num(lo)}-{_num(hi)}{unit}"


def splits_text(item, sep: str = "; ") -> str:
    """'20 m in 2.22-2.35 s; 30 m in 3.33-3.53 s', or ''."""
    return sep.join(
        f"{_num(s.distance_m)} m in {_num(s.split_s_min)}-{_num(s.split_s_max)} s" for s in (item.splits or ())
    )


def duration_text(lo, hi) -> str:
    """A time as people say it: '30-45 s', '5 s', '20-30 min' (whole minutes from 2 min up), or ''."""
    if lo is None:
        return ""
    hi = lo if hi is None else hi
    if lo >= 120 and lo % 60 == 0 and hi % 60 == 0:
        return _range(lo / 60, hi / 60, " min")
    return _range(lo, hi, " s")


def dose_text(item) -> str:
    """'4-6 x 20-30 m', '3-5 x (20-30 m build + 10-20 m fly)', '3 x 8', '3 x 5 x 5 s', '3 x 45 s', '20-30 min',
    '60 m' or ''."""
    time = duration_text(getattr(item, "time_s_min", None), getattr(item, "time_s_max", None))
    parts = [p for p in (item.sets, item.reps) if p]
    if item.distance_m:
        parts.append(f"{item.distance_m} m")
    if time:
        parts.append(time)
    dose = " x ".join(parts)
    if item.build_m:
        dose += f" ({item.build_m} m build + {item.fly_m} m fly)"
    return " ".join(dose.split())


def item_text(item) -> str:
    """One prescription item in plain words, as the week page writes it (includes/_item.html).

    'Flying sprints: 3-5 x (20-30 m build + 10-20 m fly) at 90-100%, rest 180-240 s; target 8.55-9.5 m/s
    (10 m in 1.05-1.17 s, 20 m in 2.11-2.34 s) - at 90-95%, then 95-100%'
    """
    dose = dose_text(item)
    text = item.name + (f": {dose}" if dose else "")
    if item.intensity_pct_min is not None:
        text += f" at {_range(item.intensity_pct_min, item.intensity_pct_max, '%')}"
    if item.rest_s_min:
        text += f", rest {_range(item.rest_s_min, item.rest_s_max, ' s')}"
    if item.target_speed_mps_min is not None:
        text += f"; target {_range(item.target_speed_mps_min, item.target_speed_mps_max, ' m/s')}"
        if item.splits:
            text += f" ({splits_text(item, ', ')})"
    if getattr(item, "load", None):
        text += f"; load: {item.load}"
    if getattr(item, "progression", None):
        text += f"; progression: {item.progression}"
    if item.notes:
        text += f" - {item.notes}"
    return text


def _athlete(plan):
    return plan.injury.athlete


def _team_name(plan) -> str:
    team = getattr(_athlete(plan), "team", None)
    return team.name if team is not None else ""


# --- CSV -----------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return _num(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def week_csv(rows: Iterable) -> str:
    """The week as CSV text (header row first, CRLF line endings). Encode as UTF-8 to attach or serve."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for plan, rx in rows:
        athlete = _athlete(plan)
        who = [_team_name(plan), athlete.full_name, f"P{rx.phase}", rx.focus]
        if not rx.days:
            writer.writerow([_cell(v) for v in who] + [""] * (len(CSV_COLUMNS) - len(who)))
            continue
        for day in rx.days:
            for item in day.items:
                writer.writerow([_cell(v) for v in (
                    *who, day.date.isoformat(), day.weekday_name, item.block, item.name, item.sets, item.reps,
                    item.distance_m, item.build_m, item.fly_m, item.intensity_pct_min, item.intensity_pct_max,
                    item.rest_s_min, item.rest_s_max, item.target_speed_mps_min, item.target_speed_mps_max,
                    splits_text(item), item.notes, getattr(item, "time_s_min", None),
                    getattr(item, "time_s_max", None), getattr(item, "load", None), getattr(item, "progression", None),
                )])
    return out.getvalue()


# --- iCalendar -----------------------------------------------------------------------------------------

def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("dtstamp must be an aware datetime")
    return moment.astimezone(datetime.UTC)


def event_uid(athlete, day: datetime.date, domain: str) -> str:
    """One UID per athlete and day: the same day re-sent replaces the event rather than adding one."""
    return f"{day:%Y%m%d}-athlete-{athlete.pk}@{domain}"


def week_ics(rows: Iterable, *, domain: str = "sprint-rehab.invalid", dtstamp: datetime.datetime | None = None,
             calendar_name: str | None = None) -> str:
    """The week as an iCalendar file (text, CRLF line endings): one all-day event per athlete and training day.

    Built with the `icalendar` package (escaping, folding and line endings as RFC 5545 says).
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if calendar_name:
        calendar.add("x-wr-calname", calendar_name)
    stamp = _utc(dtstamp or clock.now())
    for plan, rx in rows:
        athlete = _athlete(plan)
        for day in rx.days:
            calendar.add_component(_day_event(athlete, rx, day, domain=domain, stamp=stamp))
    return calendar.to_ical().decode("utf-8")


def _day_event(athlete, rx, day, *, domain: str, stamp: datetime.datetime) -> icalendar.Event:
    description = "\n".join(
        [rx.focus, ""] + [f"- {item_text(item)}" for item in day.items]
        + ([""] + [f"Note: {w}" for w in rx.warnings] if rx.warnings else [])
    )
    event = icalendar.Event()
    event.add("uid", event_uid(athlete, day.date, domain))
    event.add("dtstamp", stamp)
    event.add("dtstart", day.date)
    event.add("dtend", day.date + datetime.timedelta(days=1))
    event.add("summary", f"{athlete.full_name}: sprint rehab P{rx.phase}")
    event.add("description", description)
    event.add("categories", ["REHAB"])
    event.add("transp", "TRANSPARENT")
    return event


# --- the live subscription -----------------------------------------------------------------------------

def feed_event_uid(plan_id: int, day: datetime.date, domain: str) -> str:
    """One UID per plan and day, for good: a changed prescription updates the event (SEQUENCE up)."""
    return f"{day:%Y%m%d}-plan-{plan_id}@{domain}"


def prescription_text(athlete, rx, day) -> tuple[str, str]:
    """(summary, the prescription in words) of one training day: what the feed serves and fingerprints."""
    summary = f"{athlete.full_name}: sprint rehab P{rx.phase}"
    lines = [rx.focus, ""] + [f"- {item_text(item)}" for item in day.items]
    if rx.warnings:
        lines += [""] + [f"Note: {w}" for w in rx.warnings]
    return summary, "\n".join(lines)


def feed_ics(events: Iterable[dict], *, calendar_name: str, dtstamp: datetime.datetime,
             refresh: str = "PT1H") -> str:
    """A subscription calendar (RFC 5545 with the REFRESH-INTERVAL of RFC 7986): one all-day VEVENT per event dict
    {"uid", "date", "sequence", "summary", "description", "last_modified"}."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("name", calendar_name)
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", refresh)
    stamp = _utc(dtstamp)
    for e in events:
        event = icalendar.Event()
        event.add("uid", e["uid"])
        event.add("dtstamp", stamp)
        event.add("sequence", e["sequence"])
        event.add("last-modified", _utc(e["last_modified"]))
        event.add("dtstart", e["date"])
        event.add("dtend", e["date"] + datetime.timedelta(days=1))
        event.add("summary", e["summary"])
        event.add("description", e["description"])
        event.add("categories", ["REHAB"])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
