"""The week's prescription for plans: ORM rows in, the engine's pure function, plain data out; and the coach's
week (every active plan the user sees, with the week's logged sessions and the latest decision's hold reasons)."""
import datetime
from collections import defaultdict

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from sessions.models import SessionLog
from sessions.selectors import session_log_list

from .. import engine
from ..engine_io import engine_protocol
from ..models import Decision
from .plans import plan_list


def plan_week(plan, *, iso_year: int, iso_week: int, phase: int | None = None):
    """The plan's week in its current phase (or in `phase`, for a past day of the plan)."""
    athlete = plan.injury.athlete
    return engine.week_prescription(
        engine_protocol(plan.protocol), phase=plan.current_phase if phase is None else phase, iso_year=iso_year, iso_week=iso_week,
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


def next_training_day(plan, day: datetime.date):
    """The next prescribed session after `day` (this week's or the next's), or None."""
    for offset in (0, 7):
        year, week, _ = (day + datetime.timedelta(days=offset)).isocalendar()
        for d in plan_week(plan, iso_year=year, iso_week=week).days:
            if d.date > day:
                return d.date
    return None


def flag_annotations(today: datetime.date) -> dict:
    """The grid's flags as subqueries of a Plan queryset: a pending sign-off and the overdue next-morning reports
    (a report is owed from the morning after the session: overdue once that day has come, as on the roster)."""
    unreported = Q(symptom_report__isnull=True) | Q(symptom_report__voided_at__isnull=False)
    overdue = (SessionLog.objects.filter(unreported, plan=OuterRef("pk"), voided_at__isnull=True, date__lt=today)
               .order_by().values("plan").annotate(n=Count("pk")).values("n")[:1])
    return {
        "awaiting_signoff": Exists(Decision.objects.filter(plan=OuterRef("pk"), status="awaiting_signoff")),
        "overdue_reports": Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
    }


def week_rows(*, user, team_id, year, week, flags_on: datetime.date | None = None):
    """(plan, week prescription) for each active plan the user can see, with the week's logged sessions and the
    latest decision attached; three queries whatever the number of athletes. With `flags_on` (today), each plan
    also carries `awaiting_signoff` and `overdue_reports` (subqueries of the same query)."""
    latest = Decision.objects.filter(plan=OuterRef("pk")).order_by("-created_at", "-id")
    qs = (plan_list(user=user, status="active", team_id=team_id)
          .select_related("injury__athlete__organisation")
          .annotate(latest_outcome=Subquery(latest.values("outcome")[:1]),
                    latest_reasons=Subquery(latest.values("reasons")[:1])))
    if flags_on is not None:
        qs = qs.annotate(**flag_annotations(flags_on))
    plans = list(
        qs
        .order_by("injury__athlete__last_name", "injury__athlete__first_name")
    )
    monday = datetime.date.fromisocalendar(year, week, 1)
    logs = defaultdict(list)
    for log in session_log_list(user=user, date_from=monday, date_to=monday + datetime.timedelta(days=6)).filter(
            voided_at__isnull=True).filter(
            plan__in=plans).order_by("date"):
        logs[log.plan_id].append(log)
    rows = []
    for plan in plans:
        plan.week_logs = logs[plan.pk]
        plan.hold_reasons = []
        if plan.latest_outcome == "hold" and plan.latest_reasons:
            reasons = plan.latest_reasons if isinstance(plan.latest_reasons, list) else []
            plan.hold_reasons = [r["message"] for r in reasons if r.get("status") in ("fired", "not_met")][:3]
        rows.append((plan, plan_week(plan, iso_year=year, iso_week=week)))
    return rows
