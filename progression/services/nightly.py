"""The nightly re-evaluation of a chunk of plans: bulk-loaded, decided in memory, written only when it changed.

For a chunk of plans the evidence the engine reads (the plans, their sessions with their reports, the stints'
assessments, each plan's latest decision) is read in a constant number of queries, whatever the chunk's size.
Each plan is then evaluated in memory. When the outcome has the latest decision's `decision_signature`, as on most
nights, nothing is locked and nothing is written. Only a plan whose outcome changed goes through
`plan_reevaluate_nightly` (its row locked, its evidence read again under the lock, the decision recorded and
applied with its alerts exactly as after a logged session).
"""
import datetime
from types import SimpleNamespace

from django.db.models import OuterRef, Subquery

from sessions.models import Assessment, SessionLog

from .. import engine
from ..engine_io import (
    engine_protocol,
    loads_of,
    local_today,
    plan_context,
    readings_of,
    session_input,
    to_json_safe,
)
from ..models import Decision, Plan
from .evaluation import decision_signature, plan_reevaluate_nightly

#: What decision_signature reads of a decision.
SIGNATURE_FIELDS = ("id", "plan_id", "protocol_slug", "protocol_version", "outcome", "from_phase", "to_phase",
                    "decided_by_rule", "refer", "reasons", "recommendations", "created_at")


def _bulk_load(plan_ids):
    plans = list(Plan.objects.filter(pk__in=plan_ids, status=Plan.Status.ACTIVE)
                 .select_related("injury__athlete__organisation", "protocol").defer("protocol__definition")
                 .order_by("pk"))
    ids = [p.pk for p in plans]
    logs = {pk: [] for pk in ids}
    for log in (SessionLog.objects.filter(plan_id__in=ids, voided_at__isnull=True).select_related("symptom_report")
                .order_by("plan_id", "date", "logged_at", "id")):
        logs[log.plan_id].append(log)
    assessments = {pk: [] for pk in ids}
    for a in (Assessment.objects.filter(plan_id__in=ids, stint__isnull=True, voided_at__isnull=True)
              .order_by("plan_id", "assessed_on", "created_at", "id")):
        assessments[a.plan_id].append(a)
    newest = Decision.objects.filter(plan=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    latest_ids = Plan.objects.filter(pk__in=ids).annotate(latest=Subquery(newest)).values("latest")
    latest = {d.plan_id: d for d in Decision.objects.filter(pk__in=latest_ids).only(*SIGNATURE_FIELDS)}
    return plans, logs, assessments, latest


def _outcome_signature(plan: Plan, protocol, logs, assessments, now) -> tuple | None:
    """The signature of the decision `plan_evaluate` would record now, or None when it would record none."""
    today = local_today(plan, now)
    history = [session_input(log) for log in logs if log.stint is None]
    if not history:
        return None
    loads = loads_of(plan, [(log.date, log.rpe, log.minutes) for log in logs if log.date <= today], today)
    context = plan_context(plan, today, protocol, loads=loads)
    result = engine.evaluate(protocol, phase=plan.current_phase, history=history, today=today, context=context,
                             readings=readings_of(assessments))
    data = to_json_safe(result.to_dict())
    return decision_signature(SimpleNamespace(
        protocol_slug=plan.protocol.slug, protocol_version=plan.protocol.version, outcome=result.outcome.value,
        from_phase=result.from_phase, to_phase=result.to_phase, decided_by_rule=result.decided_by,
        refer=result.refer, reasons=data["reasons"], recommendations=data["recommendations"]))


def plans_reevaluate_nightly(*, plan_ids, now: datetime.datetime, on_error=None) -> dict:
    """Re-evaluate a chunk of active plans (trigger "nightly"). Returns the counts: recorded, unchanged, failed.

    A plan that fails is counted (and passed to `on_error(plan_id, exc)`), the others go on.
    """
    plans, logs, assessments, latest = _bulk_load(plan_ids)
    counts = {"recorded": 0, "unchanged": 0, "failed": 0}
    for plan in plans:
        try:
            signature = _outcome_signature(plan, engine_protocol(plan.protocol), logs[plan.pk],
                                           assessments[plan.pk], now)
            previous = latest.get(plan.pk)
            if signature is None or (previous is not None and signature == decision_signature(previous)):
                counts["unchanged"] += 1
                continue
            decision = plan_reevaluate_nightly(plan=plan.pk, now=now)
        except Exception as exc:  # noqa: BLE001 (one plan's failure must not stop the chunk)
            counts["failed"] += 1
            if on_error is not None:
                on_error(plan.pk, exc)
            continue
        counts["recorded" if decision is not None else "unchanged"] += 1
    return counts
