"""The bridge between ORM rows and the pure engine: rows in, engine inputs out, and back.

Nothing here writes. `progression.services` calls these inside its transaction.
"""
import datetime
from decimal import Decimal
from functools import lru_cache

from core import clock
from core.jsonsafe import decimal_json, to_json_safe
from sessions.models import Assessment, SessionLog

from . import engine
from .models import Plan, Protocol


def definition_from_json(data) -> dict:
    """A protocol definition as the engine reads it (numbers back to Decimal, exactly as written)."""
    return decimal_json(data)


@lru_cache(maxsize=64)
def _engine_protocol(pk: int, slug: str, version: int, created_at):
    definition = definition_from_json(Protocol.objects.only("definition").get(pk=pk).definition)
    definition["slug"], definition["version"] = slug, version
    return engine.protocol_from_dict(definition)


def engine_protocol(protocol: Protocol):
    """The engine's parsed protocol for a row. Rows are immutable once saved; the key includes created_at so a
    row that reuses a deleted row's id (a restored database, a rolled-back test) never gets a stale parse."""
    return _engine_protocol(protocol.pk, protocol.slug, protocol.version, protocol.created_at)


_LOADED: dict = {}


def engine_protocol_loaded(protocol: Protocol):
    """The engine's parsed protocol for a row whose definition is already loaded (a ``select_related``): no
    query, so a selector reading many plans parses each protocol once and queries nothing more."""
    key = (protocol.pk, protocol.slug, protocol.version, protocol.created_at)
    parsed = _LOADED.get(key)
    if parsed is None:
        definition = definition_from_json(protocol.definition)
        definition["slug"], definition["version"] = protocol.slug, protocol.version
        parsed = engine.protocol_from_dict(definition)
        if len(_LOADED) >= 64:
            _LOADED.clear()
        _LOADED[key] = parsed
    return parsed


def local_today(plan: Plan, now: datetime.datetime | None = None) -> datetime.date:
    """The athlete's local day: the organisation's time zone."""
    now = now or clock.now()
    return now.astimezone(plan.injury.athlete.organisation.tz).date()


def stint_logs(plan: Plan):
    """The sessions of the plan's current stint (not yet stamped with a closed stint's number), voided ones left
    out, oldest first."""

    return (
        SessionLog.objects.filter(plan=plan, stint__isnull=True, voided_at__isnull=True)
        .select_related("symptom_report")
        .order_by("date", "logged_at", "id")
    )


def session_input(log) -> "engine.SessionInput":
    """A session as the engine reads it: the standing next-morning report, the peak speed as computed from the
    measured speed and the Vmax it was converted with (unrounded)."""
    report = getattr(log, "symptom_report", None)
    if report is not None and report.voided_at is not None:
        report = None
    return engine.SessionInput(
        date=log.date,
        pain_during=log.pain_during,
        soreness_24h=report.soreness_24h if report is not None else None,
        strength_lsi=log.strength_lsi,
        strength_method=log.strength_method or None,
        technique=log.technique,
        technique_fresh=log.technique_fresh,
        technique_fatigued=log.technique_fatigued,
        rpe=log.rpe,
        minutes=Decimal(log.minutes),
        peak_speed_pct=log.exact_peak_speed_pct,
        efforts_95=log.efforts_95,
        full_session=log.full_session,
        red_flag=log.red_flag,
        apprehension=log.apprehension,
        ref=str(log.pk),
    )


def stint_readings(plan: Plan) -> list:
    """What the stint's assessments measured, as engine readings on their dates: the LSI exactly as computed from
    the two legs' forces (359.8 / 400 N is 89.95, not 90), the H-test as an apprehension score, the technique
    checklist score. Assessments belong to stints by the same rule as sessions (entry order)."""

    return readings_of(
        Assessment.objects.filter(plan=plan, stint__isnull=True, voided_at__isnull=True)
        .order_by("assessed_on", "created_at", "id")
    )


def readings_of(rows) -> list:
    """`stint_readings` of assessment rows already read (the stint's, not voided, in entry order)."""
    readings = []
    for a in rows:
        lsi = a.exact_lsi
        if lsi is None and a.h_test_insecurity is None and a.technique_pct is None:
            continue
        readings.append(engine.Reading(
            date=a.assessed_on, strength_lsi=lsi, strength_method=(a.strength_method or None) if lsi is not None else None,
            apprehension=a.h_test_insecurity, technique=a.technique_pct, ref=f"assessment:{a.pk}",
        ))
    return readings


def plan_loads(plan: Plan, today: datetime.date) -> tuple[list[Decimal], Decimal | None]:
    """Daily sRPE loads from the day of the plan's first logged session to today (PROTOCOL.md: the series and the
    21-day rule count from that first session, not from the plan's start); voided sessions left out."""

    return loads_of(plan, list(SessionLog.objects.filter(plan=plan, date__lte=today, voided_at__isnull=True)
                               .values_list("date", "rpe", "minutes")), today)


def loads_of(plan: Plan, rows, today: datetime.date) -> tuple[list[Decimal], Decimal | None]:
    """`plan_loads` of (date, rpe, minutes) rows already read (the plan's sessions up to today, not voided)."""
    baseline_daily = plan.baseline_weekly_load / 7 if plan.baseline_weekly_load else None
    if not rows:
        return [], baseline_daily
    start = min(d for d, _, _ in rows)
    sessions = [(d, engine.session_load(rpe, Decimal(minutes))) for d, rpe, minutes in rows]
    loads = engine.daily_loads([(d, load) for d, load in sessions if load is not None], start, today)
    return loads, baseline_daily


def plan_context(plan: Plan, today: datetime.date, protocol, loads=None) -> "engine.Context":
    """The plan's side of the evidence: the workload ratio, the load against the pre-injury baseline (exactly as
    computed: 89.95 % does not meet 90 %) and the days since clearance. `loads`: `plan_loads` already computed."""
    loads, baseline_daily = loads if loads is not None else plan_loads(plan, today)
    acwr = engine.protocol_acwr(protocol, loads, baseline_daily=baseline_daily)
    load_pct = None
    if plan.baseline_weekly_load:
        week = sum(loads[-7:], Decimal(0))
        load_pct = week / plan.baseline_weekly_load * 100
    days_since_rts = (today - plan.clearance_date).days if plan.clearance_date else None
    return engine.Context(acwr=acwr, load_pct=load_pct, days_since_rts=days_since_rts, review_pending=plan.review_pending)


def inputs_record(history, readings, context, today) -> dict:
    """What a Decision stores of its inputs: enough to replay it."""
    def row(s):
        return {name: getattr(s, name) for name in s.__dataclass_fields__}

    return to_json_safe({
        "today": today,
        "history": [row(s) for s in history],
        "readings": [row(r) for r in readings],
        "context": row(context),
    })
