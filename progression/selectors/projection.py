"""The projected return-to-sport date of many plans at once: the rows in, the engine's pure
`engine.project_return`, a `Projection` (earliest date, likely range, summary and reasoning) out.

`projected_returns` reads everything it needs in three queries whatever the number of plans: the plans (with
their injury, athlete, organisation and protocol), their sessions (with the next-morning reports) and their
regression counts. The caller passes plans it already scoped (a page's selector did the access check); nothing
outside those plans is read.
"""
import datetime
from collections import defaultdict

from django.db.models import Count

from sessions.models import SessionLog

from .. import engine
from ..engine.phase_sessions import session_pending
from ..engine_io import engine_protocol_loaded, session_input
from ..models import Decision, Plan

#: Decisions that did not stand are not a regression of the record.
_NOT_STANDING = (Decision.Status.REJECTED, Decision.Status.OVERRIDDEN, Decision.Status.SUPERSEDED)


def _ids(plans) -> list[int]:
    out = []
    for p in plans:
        pk = p if isinstance(p, int) else getattr(p, "pk", None)
        if pk is not None:
            out.append(pk)
    return out


def projected_returns(plans, today: datetime.date | None = None) -> dict:
    """{plan id: `engine.Projection`} for the active plans among `plans` (Plan rows or ids). A paused or completed
    plan has none. `today` defaults to each plan's organisation's day. A plan whose training week cannot meet its
    protocol's spacing is left out rather than failing the page."""
    ids = _ids(plans)
    if not ids:
        return {}
    rows = list(Plan.objects.filter(pk__in=ids, status=Plan.Status.ACTIVE)
                .select_related("injury__athlete__organisation", "protocol"))
    if not rows:
        return {}
    logs = defaultdict(list)
    for log in (SessionLog.objects.filter(plan__in=[r.pk for r in rows], voided_at__isnull=True)
                .select_related("symptom_report").order_by("date", "logged_at", "id")):
        logs[log.plan_id].append(log)
    regressions = dict(
        Decision.objects.filter(plan__in=[r.pk for r in rows], outcome=Decision.Outcome.REGRESS)
        .exclude(status__in=_NOT_STANDING).order_by().values("plan").annotate(n=Count("pk")).values_list("plan", "n")
    )
    out = {}
    for plan in rows:
        athlete = plan.injury.athlete
        day = today or athlete.organisation.today()
        protocol = engine_protocol_loaded(plan.protocol)
        try:
            out[plan.pk] = _project(plan, protocol, logs[plan.pk], regressions.get(plan.pk, 0), day)
        except ValueError:
            continue
    return out


def _project(plan, protocol, logs, regressions: int, today: datetime.date):
    athlete, injury = plan.injury.athlete, plan.injury
    current = min(plan.current_phase, protocol.last_phase)
    inputs = [(log, session_input(log)) for log in logs if log.date <= today]
    stint = [s for log, s in inputs if log.stint is None]
    clean = held = 0
    for log, s in inputs:
        ph = protocol.phase(log.phase if log.phase is not None and log.phase <= protocol.last_phase else current)
        if engine.session_clean(ph, s):
            clean += 1
        elif not session_pending(ph, s, today):
            held += 1
    iso = today.isocalendar()[:2]
    state = engine.PlanState(
        phase=current,
        banked=engine.banked_sessions(protocol, current, stint, today),
        injury_date=injury.date_of_injury,
        grade=injury.bamic_grade,
        site=injury.bamic_site or None,
        training_days=tuple(athlete.training_days) if athlete.training_days else None,
        last_session=max((s.date for _, s in inputs), default=None),
        week_sessions=sum(1 for _, s in inputs if s.date.isocalendar()[:2] == iso),
        clearance_date=plan.clearance_date,
        completed=plan.status == Plan.Status.COMPLETED,
        review_pending=plan.review_pending,
    )
    return engine.project_return(protocol, state, today,
                                 engine.History(clean=clean, held=held, regressions=regressions))
