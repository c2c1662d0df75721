"""What the clinician's athlete page charts: series read from the plan's rows, drawn against the current phase's
thresholds. Three queries per plan whatever its length."""
from decimal import Decimal

from django.utils.safestring import mark_safe

from .charts import Chart, Series, Threshold, line_chart, step_chart
from .engine_io import engine_protocol, local_today


def _criterion(phase, code):
    c = phase.criterion(code)
    return float(c.value) if c is not None else None


def plan_charts(plan) -> list:
    from sessions.models import Assessment, SessionLog

    logs = list(SessionLog.objects.filter(plan=plan).select_related("symptom_report").order_by("date", "logged_at"))
    lsi_assessments = list(
        Assessment.objects.filter(injury=plan.injury, strength_lsi__isnull=False).order_by("assessed_on")
        .values_list("assessed_on", "strength_lsi"))
    phase_changes = list(plan.decisions.filter(status__in=["applied", "signed_off", "overridden"])
                         .exclude(outcome="hold").order_by("created_at", "id")
                         .values_list("decided_on", "reviewed_at", "status", "to_phase", "override_to_phase", "from_phase"))
    tz = plan.injury.athlete.organisation.tz
    first_phase = phase_changes[0][5] if phase_changes else plan.current_phase
    changes = [(plan.start_date, first_phase)]
    for decided_on, reviewed_at, status, to_phase, override_to, _ in phase_changes:
        when = reviewed_at.astimezone(tz).date() if reviewed_at and status != "applied" else decided_on
        target = override_to if status == "overridden" else to_phase
        if target is not None:
            changes.append((when, target))
    protocol = engine_protocol(plan.protocol)
    phase = protocol.phases[plan.current_phase]
    today = local_today(plan)

    def thresholds(*pairs):
        return [Threshold(v, label) for v, label in pairs if v is not None]

    def num(value):
        return "" if value is None else f"{value:g}"

    def limit(value, label):
        return (value, label) if value is not None else (None, "")

    pain = Series("pain during", [(s.date, s.pain_during) for s in logs])
    soreness = Series("soreness next morning", [(s.date, s.symptom_report.soreness_24h) for s in logs
                                                if getattr(s, "symptom_report", None)])
    sleep = Series("sleep (1-5)", [(s.date, s.symptom_report.sleep_quality) for s in logs
                                   if getattr(s, "symptom_report", None) and s.symptom_report.sleep_quality], dashed=True)
    fatigue = Series("fatigue (1-5)", [(s.date, s.symptom_report.fatigue) for s in logs
                                       if getattr(s, "symptom_report", None) and s.symptom_report.fatigue], dashed=True)
    lsi_points = [(s.date, s.strength_lsi) for s in logs if s.strength_lsi is not None] + lsi_assessments
    max_pain, max_sore, min_lsi = _criterion(phase, "max_pain"), _criterion(phase, "max_soreness"), _criterion(phase, "min_lsi")
    min_speed = _criterion(phase, "min_peak_speed")
    charts = [
        step_chart("Phase over time", changes, today, top_phase=len(protocol.phases) - 1),
        line_chart(Chart("Pain and next-morning soreness (0-10)", [pain, soreness], 0, 10,
                         thresholds(limit(max_pain, f"P{phase.number} pain ≤ {num(max_pain)}"),
                                    limit(max_sore, f"soreness ≤ {num(max_sore)}"), (5, "regress at 5")))),
        line_chart(Chart("Sleep and fatigue (1-5)", [sleep, fatigue], 1, 5)),
        line_chart(Chart("Strength LSI (%)", [Series("LSI", sorted(lsi_points))], 50, 120,
                         thresholds(limit(min_lsi, f"P{phase.number} exit ≥ {num(min_lsi)}%")), unit="%")),
        line_chart(Chart("Session load (RPE × min)", [Series("load", [(s.date, Decimal(s.rpe) * s.minutes) for s in logs])],
                         0, float(max([Decimal(s.rpe) * s.minutes for s in logs], default=Decimal(400))) or 400)),
        line_chart(Chart("Peak speed (% of Vmax)", [Series("peak speed", [(s.date, s.peak_speed_pct) for s in logs
                                                                           if s.peak_speed_pct is not None])], 40, 110,
                         thresholds(limit(min_speed, f"P{phase.number} ≥ {num(min_speed)}%")), unit="%")),
    ]
    return [mark_safe(svg) for svg in charts]  # noqa: S308 - built from escaped labels and numbers



def athlete_progress(plan) -> tuple:
    """For the athlete's phone: one chart (pain and morning soreness) and the phases reached, as milestones."""
    from sessions.models import SessionLog

    logs = list(SessionLog.objects.filter(plan=plan).select_related("symptom_report").order_by("date", "logged_at"))
    chart = line_chart(Chart("Pain and morning soreness", [
        Series("pain", [(s.date, s.pain_during) for s in logs]),
        Series("soreness", [(s.date, s.symptom_report.soreness_24h) for s in logs if getattr(s, "symptom_report", None)]),
    ], 0, 10, [Threshold(2, "fine up to 2"), Threshold(5, "5: step back")]), width=360, height=200)
    protocol = engine_protocol(plan.protocol)
    tz = plan.injury.athlete.organisation.tz
    first_phase = plan.decisions.order_by("created_at").values_list("from_phase", flat=True).first()
    start = plan.current_phase if first_phase is None else first_phase
    milestones = [{"phase": start, "date": plan.start_date, "label": f"Plan started in phase {start}"}]
    for d in plan.decisions.filter(outcome="advance", status__in=["applied", "signed_off"]).order_by("created_at"):
        when = d.reviewed_at.astimezone(tz).date() if d.reviewed_at else d.decided_on
        label = "Discharged: plan complete" if d.to_phase is None else f"Reached phase {d.to_phase}: {protocol.phases[d.to_phase].name}"
        milestones.append({"phase": d.to_phase, "date": when, "label": label})
    return mark_safe(chart), milestones  # noqa: S308 - escaped labels and numbers
