"""Writes for protocols, plans and decisions. The engine decides; these functions record and apply.

Every evaluation locks the plan row (select_for_update) so two writers never apply two decisions
on the same state; every change bumps `Plan.version`, so a stale form is refused.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.notifications import notify
from core.validation import check_no_nul

from . import engine
from .engine_io import (
    engine_protocol,
    inputs_record,
    local_today,
    plan_context,
    session_input,
    stint_logs,
    strength_readings,
    to_json_safe,
)
from .models import Decision, Phase, Plan, PlanNote, Protocol

PLAN_AUDIT_FIELDS = [
    "current_phase", "stint_started_at", "status", "clearance_date", "completed_on", "review_pending", "version",
    "advance_requires_signoff", "baseline_weekly_load",
]


REVIEW_AUDIT_FIELDS = ["status", "reviewed_by", "reviewed_at", "review_reason"]


def _require_clinician(user, organisation_id):
    if not access_for(user).can_manage_org(organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can do that.")


def _check_version(plan: Plan, expected_version):
    if expected_version is not None and int(expected_version) != plan.version:
        raise Conflict(
            "This plan was changed by someone else while you were looking at it. "
            "Reload the page to see the current state; nothing was saved.",
            current=plan,
        )


def _locked(plan_or_id) -> Plan:
    pk = getattr(plan_or_id, "pk", plan_or_id)
    return Plan.objects.select_for_update().select_related("injury__athlete__organisation", "protocol").get(pk=pk)


# --- protocols -------------------------------------------------------------------------------------------

@transaction.atomic
def protocol_create(*, actor, definition: dict, organisation=None, parent=None) -> Protocol:
    """Store a protocol version and its Phase rows. The definition is validated by the engine first."""
    check_no_nul(definition, field="definition")  # PostgreSQL cannot store NUL characters
    try:
        parsed = engine.protocol_from_dict(definition)
    except engine.ProtocolError as exc:
        raise ValidationError({"definition": str(exc)}) from None
    protocol = Protocol(
        organisation=organisation, slug=parsed.slug, version=parsed.version, name=parsed.name,
        description=getattr(parsed, "description", "") or "", definition=to_json_safe(definition),
        parent=parent, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    protocol.full_clean(validate_unique=False, validate_constraints=False)  # the database decides races: see below
    try:
        with transaction.atomic():
            protocol.save()
    except IntegrityError:
        raise Conflict(f"Version {parsed.version} of {parsed.slug} was saved by someone else a moment ago. "
                       "Reload the protocol and make your change again.") from None
    Phase.objects.bulk_create(phase_rows(protocol, parsed))
    audit_record(actor=actor, action="protocol.create", target=protocol,
                 after={"slug": protocol.slug, "version": protocol.version, "parent": parent.pk if parent else None})
    return protocol


def phase_rows(protocol: Protocol, parsed) -> list[Phase]:
    data = to_json_safe(engine.protocol_to_dict(parsed))
    rows = []
    for raw in data["phases"]:
        spw = raw.get("sessions_per_week") or {}
        rows.append(Phase(
            protocol=protocol, number=raw["number"], name=raw["name"], focus=raw.get("focus", ""),
            description=raw.get("description", ""), sessions_per_week_min=spw.get("min", 2),
            sessions_per_week_max=spw.get("max", 3), exit_criteria=raw.get("exit", {}),
            prescription={k: raw[k] for k in raw if k not in {"number", "name", "focus", "description", "exit"}},
        ))
    return rows


@transaction.atomic
def protocol_new_version(*, actor, protocol: Protocol, definition: dict, organisation=None, slug=None) -> Protocol:
    """Clone or edit: a new row, never a change to an existing one (a plan may be using it).

    A built-in protocol is cloned into the clinician's organisation under a new slug; an organisation's own
    protocol gets the next version number under the same slug.
    """
    organisation = organisation or protocol.organisation
    if organisation is None:
        raise ValidationError("Choose the organisation that will own the copy.")
    _require_clinician(actor, organisation.pk)
    if protocol.organisation_id not in (None, organisation.pk):
        raise PermissionDenied("This protocol belongs to another organisation.")
    definition = dict(definition)
    if protocol.organisation_id is None or slug:
        definition["slug"] = slug or f"{protocol.slug}-{organisation.slug}"
        last = Protocol.objects.filter(slug=definition["slug"]).order_by("-version").first()
        definition["version"] = (last.version + 1) if last else 1
    else:
        definition["slug"] = protocol.slug
        definition["version"] = Protocol.objects.filter(slug=protocol.slug).order_by("-version").first().version + 1
    return protocol_create(actor=actor, definition=definition, organisation=organisation, parent=protocol)


# --- plans -------------------------------------------------------------------------------------------

OPEN_PLAN_EXISTS = "This injury already has an open plan. Complete or close it first."


@transaction.atomic
def plan_start(*, actor, injury, protocol: Protocol, start_phase: int = 0, start_date=None, baseline_weekly_load=None,
               advance_requires_signoff: bool = True, now=None) -> Plan:
    organisation_id = injury.athlete.organisation_id
    _require_clinician(actor, organisation_id)
    if protocol.organisation_id not in (None, organisation_id):
        raise PermissionDenied("This protocol belongs to another organisation.")
    # Concurrent starts for one injury queue on its row, so the later ones see the first plan (409).
    injury.__class__.objects.select_for_update().filter(pk=injury.pk).first()
    if Plan.objects.filter(injury=injury, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).exists():
        raise Conflict(OPEN_PLAN_EXISTS)
    if not 0 <= int(start_phase) <= len(engine_protocol(protocol).phases) - 1:
        raise ValidationError({"start_phase": "This protocol has no such phase."})
    plan = Plan(
        injury=injury, protocol=protocol, current_phase=start_phase, clinician=actor,
        start_date=start_date or injury.athlete.organisation.today(now), baseline_weekly_load=baseline_weekly_load,
        advance_requires_signoff=advance_requires_signoff, stint_started_at=now or clock.now(),
    )
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise Conflict(OPEN_PLAN_EXISTS) from None  # a concurrent start for this injury won
    audit_record(actor=actor, action="plan.start", target=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def plan_set_status(*, actor, plan: Plan, status: str, expected_version=None) -> Plan:
    """Pause or resume a plan."""
    plan = _locked(plan)
    _require_clinician(actor, plan.injury.athlete.organisation_id)
    _check_version(plan, expected_version)
    allowed = {Plan.Status.ACTIVE: {Plan.Status.PAUSED}, Plan.Status.PAUSED: {Plan.Status.ACTIVE}}
    if status not in allowed.get(plan.status, set()):
        raise ValidationError(f"A {plan.get_status_display().lower()} plan cannot become {status}.")
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    plan.status = status
    plan.version += 1
    plan.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=actor, action=f"plan.{'pause' if status == Plan.Status.PAUSED else 'resume'}", target=plan,
                 before=before, after=snapshot(plan, PLAN_AUDIT_FIELDS))
    return plan


def plan_evaluate_for_athlete(*, athlete, actor, trigger: str, now=None, session_log=None, **refs) -> Decision | None:
    plan = (Plan.objects.filter(injury__athlete=athlete, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED])
            .order_by("-created_at").first())
    if plan is None:
        if session_log is not None:
            _alert_without_plan(session_log)
        return None
    return plan_evaluate(plan=plan, actor=actor, trigger=trigger, now=now, session_log=session_log, **refs)


def _alert_without_plan(log) -> None:
    """A red flag from an athlete with no open plan still reaches every clinician of the organisation."""
    from athletes.selectors import clinicians_of

    red = engine.load_default_protocol().rule("red_flag").params
    if not (log.red_flag or log.pain_during >= red["pain_at_least"]):
        return
    athlete = log.athlete
    for clinician in clinicians_of(organisation_id=athlete.organisation_id):
        notify(recipient=clinician, kind="red_flag", dedupe_key=f"red-flag-log:{log.pk}", email=True,
               url=f"/clinic/athletes/{athlete.pk}/",
               title=f"Red flag: {athlete.full_name} (no open plan), please review",
               body=f"Session of {log.date:%d %b %Y}: pain {log.pain_during}"
                    + (", sharp pain / pop / forced to stop" if log.red_flag else "") + ".")


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
    clearance = decision.outcome == engine.Outcome.ADVANCE and decision.from_phase == len(protocol.phases) - 2
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


def _apply_phase(plan: Plan, to_phase: int | None, *, today: datetime.date, now, clearance_phase: int):
    if to_phase is None:
        plan.status = Plan.Status.COMPLETED
        plan.completed_on = today
    else:
        if plan.current_phase == clearance_phase and to_phase == clearance_phase + 1:
            plan.clearance_date = today
        plan.current_phase = to_phase
    plan.stint_started_at = now
    plan.version += 1


@transaction.atomic
def plan_evaluate(*, plan: Plan, actor, trigger: str, session_log=None, symptom_report=None, assessment=None,
                  now: datetime.datetime | None = None) -> Decision | None:
    """Run the engine on the plan's current stint, record the decision, and apply it as the protocol says."""
    now = now or clock.now()
    plan = _locked(plan)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED):
        return None
    protocol = engine_protocol(plan.protocol)
    today = local_today(plan, now)
    history = [session_input(log) for log in stint_logs(plan)]
    readings = strength_readings(plan)
    context = plan_context(plan, today, protocol)
    if not history:
        return None
    result = engine.evaluate(protocol, phase=plan.current_phase, history=history, today=today,
                             context=context, strength_readings=readings)
    if plan.status == Plan.Status.PAUSED and result.outcome != engine.Outcome.REGRESS:
        return None  # a paused plan makes no progress; only a regression (safety first) is recorded and applied
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    if not _only_waiting_for_report(result):
        # New evidence replaces a pending advance. A hold that only waits for the newest session's morning
        # report does not, so the clinician's sign-off link stays valid overnight; a stale strength test does.
        plan.decisions.filter(status=Decision.Status.AWAITING_SIGNOFF).update(status=Decision.Status.SUPERSEDED)

    clearance_phase = len(protocol.phases) - 2
    if result.outcome == engine.Outcome.ADVANCE and (
        plan.advance_requires_signoff or _always_needs_signoff(protocol, result.from_phase)
    ):
        status = Decision.Status.AWAITING_SIGNOFF
    else:
        status = Decision.Status.APPLIED
    result_data = to_json_safe(result.to_dict())
    decision = Decision.objects.create(
        plan=plan, trigger=trigger, session_log=session_log, symptom_report=symptom_report, assessment=assessment,
        protocol_slug=plan.protocol.slug, protocol_version=plan.protocol.version, decided_on=today,
        inputs=inputs_record(history, readings, context, today), reasons=result_data["reasons"],
        recommendations=result_data["recommendations"], warnings=_warnings(plan, protocol, result, today),
        decided_by_rule=result.decided_by, outcome=result.outcome.value, from_phase=result.from_phase,
        to_phase=result.to_phase, refer=result.refer, status=status,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if status == Decision.Status.APPLIED and result.outcome != engine.Outcome.HOLD:
        _apply_phase(plan, result.to_phase, today=today, now=now, clearance_phase=clearance_phase)
    if result.refer and result.decided_by == "rule.red_flag":
        plan.review_pending = True
    plan.save()
    audit_record(actor=actor, action=f"decision.{result.outcome.value}", target=decision,
                 after={"status": status, "from_phase": result.from_phase, "to_phase": result.to_phase,
                        "refer": result.refer, "plan_before": before, "plan_after": snapshot(plan, PLAN_AUDIT_FIELDS)})
    _alert(plan, decision)
    return decision


def _alert(plan: Plan, decision: Decision):
    athlete = plan.injury.athlete
    url = f"/clinic/athletes/{athlete.pk}/#decision-{decision.pk}"
    if decision.decided_by_rule == "rule.red_flag":
        notify(recipient=plan.clinician, kind="red_flag", plan=plan, url=url, dedupe_key=f"decision:{decision.pk}",
               title=f"Red flag: {athlete.full_name} back to P0, please review",
               body=_reason_text(decision), email=True)
    elif decision.outcome == Decision.Outcome.REGRESS:
        notify(recipient=plan.clinician, kind="regress", plan=plan, url=url, dedupe_key=f"decision:{decision.pk}",
               title=f"{athlete.full_name} regressed to P{decision.to_phase}" + (" (refer)" if decision.refer else ""),
               body=_reason_text(decision), email=True)
    elif decision.status == Decision.Status.AWAITING_SIGNOFF:
        notify(recipient=plan.clinician, kind="signoff", plan=plan, url=url, dedupe_key=f"decision:{decision.pk}",
               title=f"{athlete.full_name} is ready to advance to "
                     + ("discharge" if decision.to_phase is None else f"P{decision.to_phase}") + ": sign-off needed",
               body=_reason_text(decision), email=False)


def _reason_text(decision: Decision) -> str:
    fired = [r["message"] for r in decision.reasons if r.get("status") in ("fired", "not_met")]
    return "\n".join(fired)


class _Unchanged(Exception):
    """Rolls back a nightly evaluation whose outcome is the latest decision's."""


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


@transaction.atomic
def plan_reevaluate_nightly(*, plan, now: datetime.datetime | None = None) -> Decision | None:
    """The nightly re-evaluation of one plan (trigger "nightly"): a decision only when something changed.

    Runs `plan_evaluate` inside a savepoint; if the result has the same `decision_signature` as the plan's
    latest decision, the savepoint is rolled back, so nothing is written (no decision, no superseded sign-off,
    no audit event, no notification, no outbox row) and None is returned. Otherwise the new decision stands,
    with its alerts, exactly as after a logged session. Safe to run any number of times a night.
    """
    plan = _locked(plan)
    if plan.status != Plan.Status.ACTIVE:
        return None
    latest = plan.decisions.order_by("-created_at", "-id").first()
    try:
        with transaction.atomic():
            decision = plan_evaluate(plan=plan, actor=None, trigger=Decision.Trigger.NIGHTLY, now=now)
            if decision is not None and latest is not None and (
                decision_signature(decision) == decision_signature(latest)
            ):
                raise _Unchanged
    except _Unchanged:
        return None
    return decision


def _reviewable(decision: Decision, actor, expected_version) -> Plan:
    plan = _locked(decision.plan_id)
    _require_clinician(actor, plan.injury.athlete.organisation_id)
    _check_version(plan, expected_version)
    decision.refresh_from_db()
    return plan


@transaction.atomic
def decision_sign_off(*, actor, decision: Decision, expected_version=None, now=None) -> Decision:
    now = now or clock.now()
    plan = _reviewable(decision, actor, expected_version)
    if decision.status != Decision.Status.AWAITING_SIGNOFF:
        raise Conflict(f"This decision is {decision.get_status_display().lower()}: there is nothing to sign off.")
    if plan.status != Plan.Status.ACTIVE or plan.current_phase != decision.from_phase:
        raise Conflict("The plan has moved on since this decision: reload the page.")
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    protocol = engine_protocol(plan.protocol)
    _apply_phase(plan, decision.to_phase, today=local_today(plan, now), now=now,
                 clearance_phase=len(protocol.phases) - 2)
    plan.save()
    decision.status = Decision.Status.SIGNED_OFF
    decision.reviewed_by, decision.reviewed_at = actor, now
    decision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(actor=actor, action="decision.sign_off", target=decision,
                 before={"plan": before}, after={"plan": snapshot(plan, PLAN_AUDIT_FIELDS)})
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
    audit_record(actor=actor, action="decision.reject", target=decision, before=before,
                 after={**snapshot(decision, REVIEW_AUDIT_FIELDS), "reason": decision.review_reason})
    return decision


@transaction.atomic
def decision_override(*, actor, decision: Decision, to_phase: int, reason: str, expected_version=None,
                      now=None) -> Decision:
    """A clinician's judgement over the engine's: put the plan in `to_phase`, start a new stint, clear a review."""
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
    before = snapshot(plan, PLAN_AUDIT_FIELDS)
    plan.current_phase = int(to_phase)
    plan.stint_started_at = now
    plan.review_pending = False
    plan.version += 1
    plan.save()
    decision.status = Decision.Status.OVERRIDDEN
    decision.override_to_phase = int(to_phase)
    decision.reviewed_by, decision.reviewed_at, decision.review_reason = actor, now, reason.strip()
    decision.save(update_fields=["status", "override_to_phase", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(actor=actor, action="decision.override", target=decision,
                 before={"plan": before}, after={"plan": snapshot(plan, PLAN_AUDIT_FIELDS), "reason": reason.strip()})
    return decision


@transaction.atomic
def plan_note_create(*, actor, plan: Plan, body: str, now=None) -> PlanNote:
    """A note in the plan's conversation. The athlete, their coach and their clinicians may write."""
    from athletes.models import Athlete

    athlete_id = plan.injury.athlete_id
    access = access_for(actor)
    if not Athlete.objects.filter(access.athlete_q(), pk=athlete_id).exists():
        raise PermissionDenied("You cannot write on this plan.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > 4000:
        raise ValidationError({"body": "Keep a note under 4,000 characters."})
    org_id = plan.injury.athlete.organisation_id
    if access.can_manage_org(org_id):
        role = "clinician"
    elif plan.injury.athlete.user_id == actor.pk:
        role = "athlete"
    else:
        role = "coach"
    note = PlanNote.objects.create(plan=plan, author=actor, author_role=role, body=body, created_at=now or clock.now())
    audit_record(actor=actor, action="plan_note.create", target=note,
                 after={"plan": plan.pk, "role": role, "body": note.body})
    recipients = {plan.clinician_id}
    if plan.injury.athlete.user_id:
        recipients.add(plan.injury.athlete.user_id)
    if plan.injury.athlete.team_id:
        recipients.update(plan.injury.athlete.team.coaches.values_list("id", flat=True))
    recipients.discard(actor.pk)
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=recipients):
        notify(recipient=user, kind="note", plan=plan, dedupe_key=f"note:{note.pk}",
               title=f"New note from {actor.get_full_name() or actor.get_username()} ({role})", body=body[:500],
               url=f"/plans/{plan.pk}/notes/")
    return note
