"""What the charts show, as data: series read from the plan's rows and the thresholds of the plan's own protocol.

Nothing here draws (web/charts.py does); voided sessions, reports and assessments are left out. Three queries per
plan whatever its length.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from sessions.models import Assessment, SessionLog

from .. import engine
from ..engine_io import engine_protocol, local_today, plan_loads


@dataclass
class PlanSeries:
    """A plan's history as (date, value) points, and the current phase's thresholds (None where it has none)."""

    start: datetime.date
    today: datetime.date
    phase_number: int
    top_phase: int
    phase_changes: list
    pain: list = field(default_factory=list)
    soreness: list = field(default_factory=list)
    sleep: list = field(default_factory=list)
    fatigue: list = field(default_factory=list)
    lsi: list = field(default_factory=list)
    load: list = field(default_factory=list)
    peak_speed: list = field(default_factory=list)
    acwr: list = field(default_factory=list)
    max_pain: Decimal | None = None
    max_soreness: Decimal | None = None
    regress_at: Decimal | None = None
    min_lsi: Decimal | None = None
    min_peak_speed: Decimal | None = None
    acwr_hold_at: Decimal | None = None


def _criterion(phase, code):
    c = phase.criterion(code)
    return c.value if c is not None else None


def _phase_changes(plan) -> list:
    rows = list(plan.decisions.filter(status__in=["applied", "signed_off", "overridden"])
                .exclude(outcome="hold").order_by("created_at", "id")
                .values_list("decided_on", "reviewed_at", "status", "to_phase", "override_to_phase", "from_phase"))
    tz = plan.injury.athlete.organisation.tz
    first_phase = rows[0][5] if rows else plan.current_phase
    changes = [(plan.start_date, first_phase)]
    for decided_on, reviewed_at, status, to_phase, override_to, _ in rows:
        when = reviewed_at.astimezone(tz).date() if reviewed_at and status != "applied" else decided_on
        target = override_to if status == "overridden" else to_phase
        if target is not None:
            changes.append((when, target))
    return changes


def _standing_report(log):
    report = getattr(log, "symptom_report", None)
    return report if report is not None and report.voided_at is None else None


def _acwr_series(plan, protocol, today) -> list:
    """The workload ratio on each day from the plan's first logged session (PROTOCOL.md: EWMA, 7 and 28 days)."""
    loads, baseline_daily = plan_loads(plan, today)
    if not loads:
        return []
    first = today - datetime.timedelta(days=len(loads) - 1)
    points = []
    for i in range(len(loads)):
        ratio = engine.protocol_acwr(protocol, loads[: i + 1], baseline_daily=baseline_daily)
        if ratio is not None:
            points.append((first + datetime.timedelta(days=i), ratio))
    return points


def plan_series(plan) -> PlanSeries:
    logs = list(SessionLog.objects.filter(plan=plan, voided_at__isnull=True).select_related("symptom_report")
                .order_by("date", "logged_at"))
    lsi_assessments = list(
        Assessment.objects.filter(injury=plan.injury, strength_lsi__isnull=False, voided_at__isnull=True)
        .order_by("assessed_on").values_list("assessed_on", "strength_lsi"))
    protocol = engine_protocol(plan.protocol)
    phase = protocol.phases[min(plan.current_phase, len(protocol.phases) - 1)]
    today = local_today(plan)
    reports = [(log, _standing_report(log)) for log in logs]
    rule2 = protocol.rule("pain_or_soreness_5")
    load_rule = protocol.rule("load_spike")
    return PlanSeries(
        start=plan.start_date, today=today, phase_number=phase.number, top_phase=len(protocol.phases) - 1,
        phase_changes=_phase_changes(plan),
        pain=[(s.date, s.pain_during) for s in logs],
        soreness=[(s.date, r.soreness_24h) for s, r in reports if r],
        sleep=[(s.date, r.sleep_quality) for s, r in reports if r and r.sleep_quality],
        fatigue=[(s.date, r.fatigue) for s, r in reports if r and r.fatigue],
        lsi=sorted([(s.date, s.strength_lsi) for s in logs if s.strength_lsi is not None] + lsi_assessments),
        load=[(s.date, Decimal(s.rpe) * s.minutes) for s in logs],
        peak_speed=[(s.date, s.peak_speed_pct) for s in logs if s.peak_speed_pct is not None],
        acwr=_acwr_series(plan, protocol, today),
        max_pain=_criterion(phase, "max_pain"), max_soreness=_criterion(phase, "max_soreness"),
        regress_at=rule2.params.get("pain_at_least") if rule2 is not None else None,
        min_lsi=_criterion(phase, "min_lsi"), min_peak_speed=_criterion(phase, "min_peak_speed"),
        acwr_hold_at=load_rule.params.get("hold_at") if load_rule is not None else None,
    )


def plan_milestones(plan) -> list[dict]:
    """The phases the plan reached, for the athlete's progress page."""
    protocol = engine_protocol(plan.protocol)
    tz = plan.injury.athlete.organisation.tz
    first_phase = plan.decisions.order_by("created_at").values_list("from_phase", flat=True).first()
    start = plan.current_phase if first_phase is None else first_phase
    milestones = [{"phase": start, "date": plan.start_date, "label": f"Plan started in phase {start}"}]
    for d in plan.decisions.filter(outcome="advance", status__in=["applied", "signed_off"]).order_by("created_at"):
        when = d.reviewed_at.astimezone(tz).date() if d.reviewed_at else d.decided_on
        label = ("Discharged: plan complete" if d.to_phase is None
                 else f"Reached phase {d.to_phase}: {protocol.phases[d.to_phase].name}")
        milestones.append({"phase": d.to_phase, "date": when, "label": label})
    return milestones
