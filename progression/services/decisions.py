"""A clinician reviews a decision: sign off (after a re-check), reject, or override."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core import clock
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.notifications import resolve_topic
from core.outbox import enqueue

from .. import engine
from ..engine_io import (
    engine_protocol,
    local_today,
)
from ..models import Decision, Plan
from .base import (
    PLAN_AUDIT_FIELDS,
    REVIEW_AUDIT_FIELDS,
    EvidenceChanged,
    _check_version,
    _locked,
    _needs_clearance_date,
    _require_clinician,
    clearance_phase,
)
from .evaluation import _apply_phase, _close_stint, _engine_run, _record, _supersede_pending


def _reviewable(decision: Decision, actor, expected_version) -> Plan:
    plan = _locked(decision.plan_id)
    _require_clinician(actor, plan.injury.athlete.organisation_id)
    _check_version(plan, expected_version)
    decision.refresh_from_db()
    return plan


def _recheck_words(recheck: Decision) -> str:
    fired = [r["message"] for r in recheck.reasons if r.get("status") in ("fired", "not_met")
             and r.get("code") != "rule.exit_criteria"]
    outcome = {"hold": "holds", "regress": "regresses", "advance": "advances"}[recheck.outcome]
    target = "discharge" if recheck.to_phase is None else f"P{recheck.to_phase}"
    return (f"Not signed off: evidence arrived after this advance was proposed, and the engine now {outcome} "
            f"(P{recheck.from_phase} → {target}). " + " ".join(fired[:3]))


@transaction.atomic
def _sign_off_or_recheck(*, actor, decision: Decision, expected_version, now) -> tuple[Decision, Decision | None]:
    plan = _reviewable(decision, actor, expected_version)
    if decision.status != Decision.Status.AWAITING_SIGNOFF:
        raise Conflict(f"This decision is {decision.get_status_display().lower()}: there is nothing to sign off.")
    if plan.status != Plan.Status.ACTIVE or plan.current_phase != decision.from_phase:
        raise Conflict("The plan has moved on since this decision: reload the page.")
    protocol = engine_protocol(plan.protocol)
    today = local_today(plan, now)
    history, readings, context = _engine_run(plan, protocol, today)
    result = engine.evaluate(protocol, phase=plan.current_phase, history=history, today=today, context=context,
                             readings=readings) if history else None
    if result is None or result.outcome != engine.Outcome.ADVANCE or result.to_phase != decision.to_phase:
        if result is None:
            raise Conflict("Not signed off: the sessions this advance rested on were voided. Reload the page.")
        recheck = _record(plan, protocol, result, actor=actor, trigger=Decision.Trigger.SIGN_OFF, today=today,
                          now=now, history=history, readings=readings, context=context, supersede=True,
                          note=f"Re-checked when {actor.get_full_name() or actor.get_username()} tried to sign off "
                               f"the advance of {decision.decided_on:%d %b %Y}.")
        return decision, recheck
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    _apply_phase(plan, decision.to_phase, today=today, now=now, protocol=protocol)
    plan.save()
    decision.status = Decision.Status.SIGNED_OFF
    decision.reviewed_by, decision.reviewed_at = actor, now
    decision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    resolve_topic(f"decision:{decision.pk}", now=now)
    audit_record(actor=actor, action="decision.sign_off", target=decision,
                 before={"plan": before}, after={"plan": snapshot(plan, PLAN_AUDIT_FIELDS)})
    cleared = clearance_phase(protocol)
    if decision.to_phase is None or (cleared is not None and decision.from_phase == cleared
                                     and decision.to_phase == cleared + 1):
        # The clearance (or discharge) report: a PDF made by the outbox once this commits, so a PDF problem never
        # fails the sign-off (progression/clearance_report.py).
        enqueue("progression.clearance_report", {"decision_id": decision.pk},
                dedupe_key=f"clearance-report:{decision.pk}")
    return decision, None


def decision_sign_off(*, actor, decision: Decision, expected_version=None, now=None) -> Decision:
    """Sign off a proposed advance. The engine is re-run on the evidence as it stands first: if it would no longer
    advance (a session logged after the proposal, its report pending; a strength test gone stale), nothing is
    applied, the re-check is recorded in its place and `EvidenceChanged` carries its reasons."""
    now = now or clock.now()
    decision, recheck = _sign_off_or_recheck(actor=actor, decision=decision, expected_version=expected_version, now=now)
    if recheck is not None:
        raise EvidenceChanged(_recheck_words(recheck), recheck=recheck)
    return decision


@transaction.atomic
def decision_reject(*, actor, decision: Decision, reason: str, expected_version=None, now=None) -> Decision:
    now = now or clock.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the advance is rejected: the athlete and coach will see it."})
    _reviewable(decision, actor, expected_version)
    if decision.status != Decision.Status.AWAITING_SIGNOFF:
        raise Conflict(f"This decision is {decision.get_status_display().lower()}: only a pending advance can be rejected.")
    before = snapshot(decision, REVIEW_AUDIT_FIELDS)
    decision.status = Decision.Status.REJECTED
    decision.reviewed_by, decision.reviewed_at, decision.review_reason = actor, now, reason.strip()
    decision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    resolve_topic(f"decision:{decision.pk}", now=now)
    audit_record(actor=actor, action="decision.reject", target=decision, before=before,
                 after={**snapshot(decision, REVIEW_AUDIT_FIELDS), "reason": decision.review_reason})
    return decision


@transaction.atomic
def decision_override(*, actor, decision: Decision, to_phase: int, reason: str, expected_version=None,
                      clearance_date=None, now=None) -> Decision:
    """A clinician's judgement over the engine's: put the plan in `to_phase`, start a new stint, clear a review.

    Putting a plan into a phase after clearance (P6) without a clearance date on record asks for one: the P6 exit
    counts 28 days from it.
    """
    now = now or clock.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": "An override needs a reason: it is part of the clinical record."})
    plan = _reviewable(decision, actor, expected_version)
    protocol = engine_protocol(plan.protocol)
    if to_phase is None or not 0 <= int(to_phase) < len(protocol.phases):
        raise ValidationError({"to_phase": f"Choose a phase from P0 to P{len(protocol.phases) - 1}."})
    latest = plan.decisions.order_by("-created_at", "-id").first()
    if latest is None or latest.pk != decision.pk:
        raise Conflict("A newer decision exists for this plan: override that one instead.")
    if plan.status == Plan.Status.COMPLETED:
        raise Conflict("This plan is complete.")
    today = local_today(plan, now)
    if _needs_clearance_date(protocol, int(to_phase)) and plan.clearance_date is None:
        if clearance_date is None:
            raise ValidationError({"clearance_date": f"P{to_phase} comes after return-to-sport clearance, and this "
                                                     "plan has no clearance date: enter the day the athlete was "
                                                     "cleared."})
        if clearance_date > today or clearance_date < plan.injury.date_of_injury:
            raise ValidationError({"clearance_date": "The clearance date must be between the injury and today."})
        plan.clearance_date = clearance_date
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    plan.current_phase = int(to_phase)
    _close_stint(plan, now)
    plan.review_pending = False
    plan.version += 1
    plan.save()
    before_decision = {"status": decision.status}
    decision.status = Decision.Status.OVERRIDDEN
    decision.override_to_phase = int(to_phase)
    decision.reviewed_by, decision.reviewed_at, decision.review_reason = actor, now, reason.strip()
    decision.save(update_fields=["status", "override_to_phase", "reviewed_by", "reviewed_at", "review_reason"])
    _supersede_pending(plan, now, except_pk=decision.pk)
    resolve_topic(f"decision:{decision.pk}", now=now)
    audit_record(actor=actor, action="decision.override", target=decision,
                 before={"plan": before, **before_decision},
                 after={"plan": snapshot(plan, PLAN_AUDIT_FIELDS), "reason": reason.strip()})
    return decision
