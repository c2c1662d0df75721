"""The bridge between ORM rows and the pure engine: rows in, engine inputs out, and back.

Nothing here writes. `progression.services` calls these inside its transaction.
"""
import datetime
import json
from decimal import Decimal
from functools import lru_cache

from core import clock

from . import engine
from .models import Plan, Protocol


class DecimalEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, datetime.date):
            return o.isoformat()
        return super().default(o)


def to_json_safe(data):
    """Decimals to numbers, dates to ISO strings: what a JSONField stores."""
    return json.loads(json.dumps(data, cls=DecimalEncoder))


def definition_from_json(data) -> dict:
    """A protocol definition as the engine reads it (numbers back to Decimal, exactly as written)."""
    return json.loads(json.dumps(data, cls=DecimalEncoder), parse_float=Decimal)


@lru_cache(maxsize=64)
def _engine_protocol(pk: int, slug: str, version: int, created_at):
    definition = definition_from_json(Protocol.objects.only("definition").get(pk=pk).definition)
    definition["slug"], definition["version"] = slug, version
    return engine.protocol_from_dict(definition)


def engine_protocol(protocol: Protocol):
    """The engine's parsed protocol for a row. Rows are immutable once saved; the key includes created_at so a
    row that reuses a deleted row's id (a restored database, a rolled-back test) never gets a stale parse."""
    return _engine_protocol(protocol.pk, protocol.slug, protocol.version, protocol.created_at)


def local_today(plan: Plan, now: datetime.datetime | None = None) -> datetime.date:
    """The athlete's local day: the organisation's time zone."""
    now = now or clock.now()
    return now.astimezone(plan.injury.athlete.organisation.tz).date()


def stint_logs(plan: Plan):
    from sessions.models import SessionLog

    return (
        SessionLog.objects.filter(plan=plan, logged_at__gte=plan.stint_started_at)
        .select_related("symptom_report")
        .order_by("date", "logged_at", "id")
    )


def session_input(log) -> "engine.SessionInput":
    report = getattr(log, "symptom_report", None)
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
        peak_speed_pct=log.peak_speed_pct,
        efforts_95=log.efforts_95,
        full_session=log.full_session,
        red_flag=log.red_flag,
        apprehension=log.apprehension,
        ref=str(log.pk),
    )


def strength_readings(plan: Plan) -> list:
    """LSI readings from assessments since the stint began: strength reaches the engine from both sources."""
    from sessions.models import Assessment

    since = plan.stint_started_at.astimezone(plan.injury.athlete.organisation.tz).date()
    rows = (
        Assessment.objects.filter(injury=plan.injury, assessed_on__gte=since, strength_lsi__isnull=False)
        .order_by("assessed_on", "created_at")
        .values_list("pk", "assessed_on", "strength_lsi", "strength_method")
    )
    return [
        engine.StrengthReading(date=d, lsi=lsi, method=method or None, ref=f"assessment:{pk}")
        for pk, d, lsi, method in rows
    ]


def plan_loads(plan: Plan, today: datetime.date) -> tuple[list[Decimal], Decimal | None]:
    """Daily sRPE loads over the whole plan, from its first session (or start) to today."""
    from sessions.models import SessionLog

    rows = list(SessionLog.objects.filter(plan=plan, date__lte=today).values_list("date", "rpe", "minutes"))
    start = min([plan.start_date, *(d for d, _, _ in rows)])
    sessions = [(d, engine.session_load(rpe, Decimal(minutes))) for d, rpe, minutes in rows]
    loads = engine.daily_loads([(d, load) for d, load in sessions if load is not None], start, today)
    baseline_daily = plan.baseline_weekly_load / 7 if plan.baseline_weekly_load else None
    return loads, baseline_daily


def plan_context(plan: Plan, today: datetime.date, protocol) -> "engine.Context":
    loads, baseline_daily = plan_loads(plan, today)
    acwr = engine.protocol_acwr(protocol, loads, baseline_daily=baseline_daily)
    load_pct = None
    if plan.baseline_weekly_load:
        week = sum(loads[-7:], Decimal(0))
        load_pct = (week / plan.baseline_weekly_load * 100).quantize(Decimal("0.1"))
    days_since_rts = (today - plan.clearance_date).days if plan.clearance_date else None
    return engine.Context(acwr=acwr, load_pct=load_pct, days_since_rts=days_since_rts, review_pending=plan.review_pending)


def inputs_record(history, readings, context, today) -> dict:
    """What a Decision stores of its inputs: enough to replay it."""
    def row(s):
        return {name: getattr(s, name) for name in s.__dataclass_fields__}

    return to_json_safe({
        "today": today,
        "history": [row(s) for s in history],
        "strength_readings": [row(r) for r in readings],
        "context": row(context),
    })
