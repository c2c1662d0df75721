"""The week prescription for a plan: ORM rows in, the engine's pure function, plain data out."""
import datetime

from . import engine
from .engine_io import engine_protocol


def plan_week(plan, *, iso_year: int, iso_week: int):
    athlete = plan.injury.athlete
    return engine.week_prescription(
        engine_protocol(plan.protocol), phase=plan.current_phase, iso_year=iso_year, iso_week=iso_week,
        training_days=athlete.training_days or None, vmax_mps=athlete.vmax_mps,
    )


def plan_day(plan, day: datetime.date):
    """Today's sessions, or None on a rest day."""
    year, week, _ = day.isocalendar()
    week_rx = plan_week(plan, iso_year=year, iso_week=week)
    for d in week_rx.days:
        if d.date == day:
            return week_rx, d
    return week_rx, None
