"""Evaluating a plan: the engine decides, this records the decision and applies it as the protocol says.

Every evaluation locks the plan row (select_for_update) so two writers never apply two decisions
on the same state; every change bumps `Plan.version`, so a stale form is refused.

**Stints** (PROTOCOL.md, "The stint"): sessions and assessments entered while a stint runs carry no stint number.
A regression, an advance or an override closes the stint: everything entered before it is stamped with the
closing stint's number (so the session whose own evidence triggered a regression stays in the stint it ended),
and the next stint starts empty. Evidence that arrives later for a session of a closed stint goes through
`plan_check_late_warning`: rules 1 and 2 still regress, refer and alert.
"""
import datetime

from django.db import transaction

from core import clock
from core.audit import audit_record, snapshot
from core.notifications import notify, resolve_topic
from core.transactions import service_atomic
from sessions.models import Assessment, SessionLog

from .. import engine
from ..engine_io import (
    engine_protocol,
    inputs_record,
    local_today,
    plan_context,
    session_input,
    stint_logs,
    stint_readings,
    to_json_safe,
)
from ..models import Decision, Plan
from .base import PLAN_AUDIT_FIELDS, _locked, clearance_phase, is_red_flag


def _only_waiting_for_report(result) -> bool:
    """The decision holds on missing data, and the only thing missing is the latest session's morning report."""
    if result.decided_by != "rule.missing_data":
        return False
    reason = next(r for r in result.reasons if r.code == "rule.missing_data")
    values = reason.values
    if values.get("sessions") == 0 or values.get("soreness_24h") is not None:
        return False
    if not values.get("lsi_required"):
        return True
    lsi_date = values.get("latest_lsi_date")
    return lsi_date is not None and (values["today"] - lsi_date).days <= values["lsi_window_days"]


def _always_needs_signoff(protocol, from_phase: int) -> bool:
    """Advancing from a phase marked for sign-off (P5 clearance, P6 discharge) always waits for a clinician."""
    return protocol.phases[from_phase].sign_off_to_advance


def _warnings(plan: Plan, protocol, decision, today: datetime.date) -> list[dict]:
    warnings = []
    clearance = decision.outcome == engine.Outcome.ADVANCE and decision.from_phase == clearance_phase(protocol)
    if clearance:
        injury = plan.injury
        floor = engine.time_floor_days(protocol, grade=injury.bamic_grade, site=injury.bamic_site or None)
        days = (today - injury.date_of_injury).days
        if days < floor:
            warnings.append({
                "code": "time_floor",
                "message": (f"Clearance {days} days after injury: earlier than the usual {floor} days for a grade "
                            f"{injury.grade_label} injury. A warning, not a gate (Ekstrand 2012; Pollock 2022)."),
                "values": {"days_since_injury": days, "floor_days": floor, "grade": injury.grade_label},
            })
    return warnings


def _close_stint(plan: Plan, now) -> None:
    """End the current stint after everything entered so far: stamp its sessions and assessments with its number,
    start the next one."""

    SessionLog.objects.filter(plan=plan, stint__isnull=True).update(stint=plan.stint)
    Assessment.objects.filter(plan=plan, stint__isnull=True).update(stint=plan.stint)
    plan.stint += 1
    plan.stint_started_at = now


def _apply_phase(plan: Plan, to_phase: int | None, *, today: datetime.date, now, protocol):
    if to_phase is None:
        plan.status = Plan.Status.COMPLETED
        plan.completed_on = today
    else:
        cleared = clearance_phase(protocol)
        if cleared is not None and plan.current_phase == cleared and to_phase == cleared + 1:
            plan.clearance_date = today
        plan.current_phase = to_phase
    _close_stint(plan, now)
    plan.version += 1


def _supersede_pending(plan: Plan, now, *, except_pk=None) -> None:
    pending = plan.decisions.filter(status=Decision.Status.AWAITING_SIGNOFF)
    if except_pk is not None:
        pending = pending.exclude(pk=except_pk)
    for pk in list(pending.values_list("pk", flat=True)):
        resolve_topic(f"decision:{pk}", now=now)
    pending.update(status=Decision.Status.SUPERSEDED)


def _engine_run(plan: Plan, protocol, today):
    history = [session_input(log) for log in stint_logs(plan)]
    readings = stint_readings(plan)
    context = plan_context(plan, today, protocol)
    return history, readings, context


def _record(plan: Plan, protocol, result, *, actor, trigger: str, today, now, history, readings, context,
            session_log=None, symptom_report=None, assessment=None, note: str = "", late: bool = False,
            supersede: bool | None = None) -> Decision:
    """Record the engine's decision and apply it as the protocol says (the plan is locked by the caller)."""
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    if supersede is None:
        # New evidence replaces a pending advance. A hold that only waits for the newest session's morning
        # report does not, so the clinician's sign-off link stays valid overnight; a stale strength test does.
        supersede = not _only_waiting_for_report(result)
    if supersede:
        _supersede_pending(plan, now)
    if result.outcome == engine.Outcome.ADVANCE and (
        plan.advance_requires_signoff or _always_needs_signoff(protocol, result.from_phase)
    ):
        status = Decision.Status.AWAITING_SIGNOFF
    else:
        status = Decision.Status.APPLIED
    result_data = to_json_safe(result.to_dict())
    decision = Decision.objects.create(
        plan=plan, trigger=trigger, trigger_note=note, late=late, session_log=session_log,
        symptom_report=symptom_report, assessment=assessment, protocol_slug=plan.protocol.slug,
        protocol_version=plan.protocol.version, decided_on=today,
        inputs=inputs_record(history, readings, context, today), reasons=result_data["reasons"],
        recommendations=result_data["recommendations"], warnings=_warnings(plan, protocol, result, today),
        decided_by_rule=result.decided_by, outcome=result.outcome.value, from_phase=result.from_phase,
        to_phase=result.to_phase, refer=result.refer, status=status, created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if status == Decision.Status.APPLIED and result.outcome != engine.Outcome.HOLD:
        _apply_phase(plan, result.to_phase, today=today, now=now, protocol=protocol)
    if result.refer and is_red_flag(protocol, result.decided_by):
        plan.review_pending = True
    plan.save()
    audit_record(actor=actor, action=f"decision.{result.outcome.value}", target=decision,
                 after={"status": status, "from_phase": result.from_phase, "to_phase": result.to_phase,
                        "refer": result.refer, "late": late, "plan_before": before,
                        "plan_after": snapshot(plan, PLAN_AUDIT_FIELDS)})
    _alert(plan, decision)
    return decision


@service_atomic
def plan_evaluate(*, plan: Plan, actor, trigger: str, session_log=None, symptom_report=None, assessment=None,
                  now: datetime.datetime | None = None, note: str = "") -> Decision | None:
    """Run the engine on the plan's current stint, record the decision, and apply it as the protocol says."""
    now = now or clock.now()
    plan = _locked(plan)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED):
        return None
    protocol = engine_protocol(plan.protocol)
    today = local_today(plan, now)
    history, readings, context = _engine_run(plan, protocol, today)
    if not history:
        return None
    result = engine.evaluate(protocol, phase=plan.current_phase, history=history, today=today,
                             context=context, readings=readings)
    if plan.status == Plan.Status.PAUSED and result.outcome != engine.Outcome.REGRESS:
        return None  # a paused plan makes no progress; only a regression (safety first) is recorded and applied
    return _record(plan, protocol, result, actor=actor, trigger=trigger, today=today, now=now, history=history,
                   readings=readings, context=context, session_log=session_log, symptom_report=symptom_report,
                   assessment=assessment, note=note)


#: How strongly a rule regresses, for late warning signs: a red flag outranks pain or soreness of 5.
def _late_severity(protocol) -> dict:
    """How strongly each late-warning rule regresses: the earlier rule is the graver (the default's red flag, rule
    1, outranks pain or soreness of 5, rule 2)."""
    return {f"rule.{r.code}": r.number for r in protocol.late_warning_rules}


def _already_regressed_for(plan: Plan, log_pk: int, severity: int, severities: dict) -> bool:
    """A regression of this plan already fired on this session, by a rule at least as severe."""
    ref = str(log_pk)
    for decided_by, reasons in plan.decisions.filter(
        outcome=Decision.Outcome.REGRESS, decided_by_rule__in=list(severities)
    ).values_list("decided_by_rule", "reasons"):
        if severities[decided_by] > severity:
            continue
        fired = next((r for r in reasons or () if r.get("code") == decided_by), None)
        if fired and any(str(s.get("ref")) == ref for s in (fired.get("values") or {}).get("sessions", ())):
            return True
    return False


@service_atomic
def plan_check_late_warning(*, plan: Plan, actor, trigger: str, session_log, symptom_report=None,
                            now: datetime.datetime | None = None, note: str = "") -> Decision | None:
    """Evidence that arrived late for a session of a closed stint (a next-morning report, a correction).

    PROTOCOL.md: if it meets rule 1 or rule 2 it still regresses, refers where the protocol says and alerts,
    whatever happened in between; otherwise it changes nothing (the current stint does not contain it). A
    session that already caused a regression by a rule as severe causes no second one: one red-flag session
    gives one alert, however often the plan is evaluated.
    """

    now = now or clock.now()
    plan = _locked(plan)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED):
        return None
    log = SessionLog.objects.select_related("symptom_report").get(pk=session_log.pk)
    if log.voided_at is not None:
        return None
    protocol = engine_protocol(plan.protocol)
    today = local_today(plan, now)
    session = session_input(log)
    result = engine.evaluate_late_warning(protocol, phase=plan.current_phase, session=session, today=today)
    severities = _late_severity(protocol)
    if result is None or _already_regressed_for(plan, log.pk, severities[result.decided_by], severities):
        return None
    context = plan_context(plan, today, protocol)
    note = note or (f"Late evidence for the session of {log.date:%d %b %Y}, from an earlier stint: "
                    "a warning sign is never lost because the stint moved on.")
    return _record(plan, protocol, result, actor=actor, trigger=trigger, today=today, now=now, history=[session],
                   readings=[], context=context, session_log=log, symptom_report=symptom_report, note=note,
                   late=True, supersede=True)


def _alert(plan: Plan, decision: Decision):
    athlete = plan.injury.athlete
    protocol = engine_protocol(plan.protocol)
    url = f"/clinic/athletes/{athlete.pk}/#decision-{decision.pk}"
    topic = f"decision:{decision.pk}"
    if is_red_flag(protocol, decision.decided_by_rule):
        # One alert per red-flag session, however often the plan is evaluated afterwards.
        refs = next((r.get("values", {}).get("sessions", []) for r in decision.reasons
                     if r.get("code") == decision.decided_by_rule), [])
        key = "red-flag:" + ",".join(sorted(str(s.get("ref")) for s in refs)) if refs else f"decision:{decision.pk}"
        notify(recipient=plan.clinician, kind="red_flag", plan=plan, url=url, dedupe_key=key, topic=topic,
               title=f"Red flag: {athlete.full_name} back to P{decision.to_phase}, please review",
               body=_reason_text(decision), email=True)
    elif decision.outcome == Decision.Outcome.REGRESS:
        notify(recipient=plan.clinician, kind="regress", plan=plan, url=url, dedupe_key=f"decision:{decision.pk}",
               topic=topic,
               title=f"{athlete.full_name} regressed to P{decision.to_phase}" + (" (refer)" if decision.refer else ""),
               body=_reason_text(decision), email=True)
    elif decision.status == Decision.Status.AWAITING_SIGNOFF:
        notify(recipient=plan.clinician, kind="signoff", plan=plan, url=url, dedupe_key=f"decision:{decision.pk}",
               topic=topic,
               title=f"{athlete.full_name} is ready to advance to "
                     + ("discharge" if decision.to_phase is None else f"P{decision.to_phase}") + ": sign-off needed",
               body=_reason_text(decision), email=False)


def _reason_text(decision: Decision) -> str:
    fired = [r["message"] for r in decision.reasons if r.get("status") in ("fired", "not_met")]
    return "\n".join(fired)


class _Unchanged(Exception):
    """Rolls back an evaluation whose outcome is the latest decision's."""


def decision_signature(decision: Decision) -> tuple:
    """What makes two decisions the same for the nightly re-evaluation.

    The protocol version, the outcome and phases, the deciding rule, the referral, every rule's and criterion's
    status (not its values: the load ratio and the age of a strength test change every day without changing
    anything a clinician acts on) and the recommendations.
    """
    return (
        decision.protocol_slug, decision.protocol_version, decision.outcome, decision.from_phase, decision.to_phase,
        decision.decided_by_rule, decision.refer,
        tuple((r.get("code"), r.get("status")) for r in decision.reasons or ()),
        tuple(sorted(r.get("code", "") for r in decision.recommendations or ())),
    )


@service_atomic
def plan_reevaluate_if_changed(*, plan, actor=None, trigger: str, now: datetime.datetime | None = None,
                               note: str = "", **refs) -> Decision | None:
    """Re-evaluate, keeping the decision only when something changed.

    Runs `plan_evaluate` inside a savepoint; if the result has the same `decision_signature` as the plan's
    latest decision, the savepoint is rolled back, so nothing is written (no decision, no superseded sign-off,
    no audit event, no notification, no outbox row) and None is returned. Otherwise the new decision stands,
    with its alerts, exactly as after a logged session. Safe to run any number of times.
    """
    plan = _locked(plan)
    if plan.status != Plan.Status.ACTIVE:
        return None
    latest = plan.decisions.order_by("-created_at", "-id").first()
    try:
        with transaction.atomic():
            decision = plan_evaluate(plan=plan, actor=actor, trigger=trigger, now=now, note=note, **refs)
            if decision is not None and latest is not None and (
                decision_signature(decision) == decision_signature(latest)
            ):
                raise _Unchanged
    except _Unchanged:
        return None
    return decision


def plan_reevaluate_nightly(*, plan, now: datetime.datetime | None = None) -> Decision | None:
    """The nightly re-evaluation of one plan (trigger "nightly"): a decision only when something changed."""
    return plan_reevaluate_if_changed(plan=plan, trigger=Decision.Trigger.NIGHTLY, now=now)
