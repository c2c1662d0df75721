"""Writes for protocols, plans and decisions. The engine decides; these functions record and apply.

Every evaluation locks the plan row (select_for_update) so two writers never apply two decisions
on the same state; every change bumps `Plan.version`, so a stale form is refused.

**Stints** (PROTOCOL.md, "The stint"): sessions and assessments entered while a stint runs carry no stint number.
A regression, an advance or an override closes the stint: everything entered before it is stamped with the
closing stint's number (so the session whose own evidence triggered a regression stays in the stint it ended),
and the next stint starts empty. Evidence that arrives later for a session of a closed stint goes through
`plan_check_late_warning`: rules 1 and 2 still regress, refer and alert.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.notifications import notify, resolve_topic
from core.validation import check_no_nul

from . import engine
from .engine_io import (
    engine_protocol,
    inputs_record,
    local_today,
    plan_context,
    session_input,
    stint_logs,
    stint_readings,
    to_json_safe,
)
from .models import Decision, Phase, Plan, PlanNote, Protocol
from .protocol_editing import protocol_changes
from .selectors import protocol_edit_slug, protocol_latest

PLAN_AUDIT_FIELDS = [
    "current_phase", "stint", "stint_started_at", "status", "clearance_date", "completed_on", "review_pending",
    "version", "advance_requires_signoff", "baseline_weekly_load",
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
    after = {"slug": protocol.slug, "version": protocol.version, "parent": parent.pk if parent else None}
    if parent is not None:
        after["changes"] = protocol_changes(to_json_safe(parent.definition), protocol.definition)
    audit_record(actor=actor, action="protocol.create", target=protocol, after=after)
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
def protocol_new_version(*, actor, protocol: Protocol, definition: dict, base_version: int, organisation=None,
                         slug=None) -> Protocol:
    """Clone or edit: a new row, never a change to an existing one (a plan may be using it).

    A built-in protocol is cloned into the clinician's organisation under a new slug; an organisation's own
    protocol gets the next version number under the same slug.

    `base_version` is the newest version of that slug the editor started from (selectors.protocol_edit_base when
    the page was rendered; 0 when there was none). If someone saved a newer version since, this is a Conflict:
    the new version would silently lack their change. Two saves from the same base at the same moment both aim at
    the same version number, and the unique (slug, version) constraint lets only one of them through.
    """
    organisation = organisation or protocol.organisation
    if organisation is None:
        raise ValidationError("Choose the organisation that will own the copy.")
    _require_clinician(actor, organisation.pk)
    if protocol.organisation_id not in (None, organisation.pk):
        raise PermissionDenied("This protocol belongs to another organisation.")
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        raise ValidationError({"base_version": "The version you started from is missing: open the protocol again."})
    target = slug or protocol_edit_slug(protocol=protocol, organisation=organisation)
    latest = protocol_latest(slug=target)
    newest = latest.version if latest else 0
    if base_version < newest:
        raise Conflict(_stale_protocol_message(protocol, newest), current=latest)
    if base_version > newest:
        raise ValidationError({"base_version": f"There is no version {base_version} of {target} yet: the newest is "
                                               f"{newest}. Open the protocol again."})
    definition = dict(definition)
    definition["slug"], definition["version"] = target, newest + 1
    try:
        return protocol_create(actor=actor, definition=definition, organisation=organisation, parent=protocol)
    except Conflict:
        # Someone saved from the same base a moment ago: theirs won the version number.
        raise Conflict(_stale_protocol_message(protocol, newest + 1),
                       current=protocol_latest(slug=target)) from None


def _stale_protocol_message(protocol: Protocol, saved_version: int) -> str:
    if protocol.organisation_id is None:
        return (f"Someone saved version {saved_version} of your organisation's copy of this protocol while you were "
                f"editing: open version {saved_version} and make your change again.")
    return (f"Someone saved version {saved_version} of this protocol while you were editing version "
            f"{protocol.version}: open version {saved_version} and make your change again.")


# --- plans -------------------------------------------------------------------------------------------

OPEN_PLAN_EXISTS = "This injury already has an open plan. Complete or close it first."


class EvidenceChanged(Conflict):
    """A sign-off refused because the engine, re-run on the evidence as it stands, no longer advances.

    The re-check is recorded (it supersedes the proposal) before this is raised: `recheck` is that decision.
    """

    def __init__(self, message: str, *, recheck):
        super().__init__(message, current=recheck)
        self.recheck = recheck


def clearance_phase(protocol) -> int:
    """The phase whose advance is return-to-sport clearance (the default protocol's P5)."""
    return len(protocol.phases) - 2


def _needs_clearance_date(protocol, phase: int) -> bool:
    """A plan in a phase after clearance (surveillance, P6) needs the day of clearance: its exit counts from it."""
    return phase > clearance_phase(protocol)


@transaction.atomic
def plan_start(*, actor, injury, protocol: Protocol, start_phase: int = 0, start_date=None, baseline_weekly_load=None,
               advance_requires_signoff: bool = True, clearance_date=None, now=None) -> Plan:
    """Start a plan for an injury. A plan started after clearance (P6) needs the clearance date. The injury's
    assessments that belong to no plan yet (the baseline) join the first stint."""
    from sessions.models import Assessment

    organisation_id = injury.athlete.organisation_id
    _require_clinician(actor, organisation_id)
    if protocol.organisation_id not in (None, organisation_id):
        raise PermissionDenied("This protocol belongs to another organisation.")
    # Concurrent starts for one injury queue on its row, so the later ones see the first plan (409).
    injury.__class__.objects.select_for_update().filter(pk=injury.pk).first()
    if Plan.objects.filter(injury=injury, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).exists():
        raise Conflict(OPEN_PLAN_EXISTS)
    parsed = engine_protocol(protocol)
    if not 0 <= int(start_phase) <= len(parsed.phases) - 1:
        raise ValidationError({"start_phase": "This protocol has no such phase."})
    today = injury.athlete.organisation.today(now)
    if _needs_clearance_date(parsed, int(start_phase)):
        if clearance_date is None:
            raise ValidationError({"clearance_date": f"A plan that starts in P{start_phase} (after return-to-sport "
                                                     "clearance) needs the day the athlete was cleared."})
        if clearance_date > today:
            raise ValidationError({"clearance_date": "The clearance date cannot be in the future."})
    elif clearance_date is not None:
        raise ValidationError({"clearance_date": "Only a plan that starts after clearance has a clearance date."})
    plan = Plan(
        injury=injury, protocol=protocol, current_phase=start_phase, clinician=actor,
        start_date=start_date or today, baseline_weekly_load=baseline_weekly_load, clearance_date=clearance_date,
        advance_requires_signoff=advance_requires_signoff, stint_started_at=now or clock.now(),
    )
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise Conflict(OPEN_PLAN_EXISTS) from None  # a concurrent start for this injury won
    adopted = Assessment.objects.filter(injury=injury, plan__isnull=True).update(plan=plan)
    audit_record(actor=actor, action="plan.start", target=plan, after={**snapshot(plan), "assessments_adopted": adopted})
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


PLAN_SETTINGS = ("baseline_weekly_load", "clearance_date", "advance_requires_signoff")
ATHLETE_SETTINGS = ("vmax_mps", "vmax_source", "vmax_date", "training_days")


@transaction.atomic
def plan_settings_update(*, actor, plan: Plan, expected_version=None, now=None, **fields) -> tuple[Plan, dict]:
    """Change what the plan knows beside the sessions, at any time: the athlete's Vmax (and its source and date),
    the pre-injury weekly load baseline, the training days, the clearance date, whether advances wait for a
    sign-off. Audited with before and after; the plan is then re-evaluated (a decision is recorded only when the
    outcome changes). Returns (plan, changed fields)."""
    unknown = set(fields) - set(PLAN_SETTINGS) - set(ATHLETE_SETTINGS)
    if unknown:
        raise TypeError(f"Unknown plan settings: {sorted(unknown)}")
    plan = _locked(plan)
    _require_clinician(actor, plan.injury.athlete.organisation_id)
    _check_version(plan, expected_version)
    if plan.status == Plan.Status.COMPLETED:
        raise Conflict("This plan is complete: its settings are part of the record now.")
    athlete = plan.injury.athlete
    protocol = engine_protocol(plan.protocol)
    today = local_today(plan, now)
    changed = {}
    for name, value in fields.items():
        target = athlete if name in ATHLETE_SETTINGS else plan
        if getattr(target, name) != value:
            changed[name] = (target, getattr(target, name), value)
    if not changed:
        return plan, {}
    if "clearance_date" in changed:
        value = fields["clearance_date"]
        if value is not None and value > today:
            raise ValidationError({"clearance_date": "The clearance date cannot be in the future."})
        if value is None and _needs_clearance_date(protocol, plan.current_phase):
            raise ValidationError({"clearance_date": "A plan after clearance needs its clearance date."})
        if value is not None and value < plan.injury.date_of_injury:
            raise ValidationError({"clearance_date": "The clearance date cannot be before the injury."})
    before = {name: old for name, (_, old, _) in changed.items()}
    for name, (target, _, value) in changed.items():
        setattr(target, name, value)
    athlete.full_clean()
    athlete.save()
    plan.version += 1
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="plan.settings", target=plan, before=to_json_safe(before),
                 after=to_json_safe({name: value for name, (_, _, value) in changed.items()}))
    words = ", ".join(name.replace("_", " ") for name in changed)
    plan_reevaluate_if_changed(plan=plan, actor=actor, trigger=Decision.Trigger.SETTINGS, now=now,
                               note=f"Plan settings changed: {words}.")
    plan.refresh_from_db()
    return plan, {name: value for name, (_, _, value) in changed.items()}


def plan_evaluate_for_athlete(*, athlete, actor, trigger: str, now=None, session_log=None, **refs) -> Decision | None:
    plan = plan_open_for(athlete)
    if plan is None:
        if session_log is not None:
            alert_without_plan(session_log)
        return None
    return plan_evaluate(plan=plan, actor=actor, trigger=trigger, now=now, session_log=session_log, **refs)


def plan_open_for(athlete) -> Plan | None:
    return (Plan.objects.filter(injury__athlete=athlete, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED])
            .order_by("-created_at").first())


def alert_without_plan(log) -> None:
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
    from sessions.models import Assessment, SessionLog

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
        if plan.current_phase == cleared and to_phase == cleared + 1:
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
    if result.refer and result.decided_by == "rule.red_flag":
        plan.review_pending = True
    plan.save()
    audit_record(actor=actor, action=f"decision.{result.outcome.value}", target=decision,
                 after={"status": status, "from_phase": result.from_phase, "to_phase": result.to_phase,
                        "refer": result.refer, "late": late, "plan_before": before,
                        "plan_after": snapshot(plan, PLAN_AUDIT_FIELDS)})
    _alert(plan, decision)
    return decision


@transaction.atomic
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
_LATE_SEVERITY = {"rule.red_flag": 1, "rule.pain_or_soreness_5": 2}


def _already_regressed_for(plan: Plan, log_pk: int, severity: int) -> bool:
    """A regression of this plan already fired on this session, by a rule at least as severe."""
    ref = str(log_pk)
    for decided_by, reasons in plan.decisions.filter(
        outcome=Decision.Outcome.REGRESS, decided_by_rule__in=list(_LATE_SEVERITY)
    ).values_list("decided_by_rule", "reasons"):
        if _LATE_SEVERITY[decided_by] > severity:
            continue
        fired = next((r for r in reasons or () if r.get("code") == decided_by), None)
        if fired and any(str(s.get("ref")) == ref for s in (fired.get("values") or {}).get("sessions", ())):
            return True
    return False


@transaction.atomic
def plan_check_late_warning(*, plan: Plan, actor, trigger: str, session_log, symptom_report=None,
                            now: datetime.datetime | None = None, note: str = "") -> Decision | None:
    """Evidence that arrived late for a session of a closed stint (a next-morning report, a correction).

    PROTOCOL.md: if it meets rule 1 or rule 2 it still regresses, refers where the protocol says and alerts,
    whatever happened in between; otherwise it changes nothing (the current stint does not contain it). A
    session that already caused a regression by a rule as severe causes no second one: one red-flag session
    gives one alert, however often the plan is evaluated.
    """
    from sessions.models import SessionLog

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
    if result is None or _already_regressed_for(plan, log.pk, _LATE_SEVERITY[result.decided_by]):
        return None
    context = plan_context(plan, today, protocol)
    note = note or (f"Late evidence for the session of {log.date:%d %b %Y}, from an earlier stint: "
                    "a warning sign is never lost because the stint moved on.")
    return _record(plan, protocol, result, actor=actor, trigger=trigger, today=today, now=now, history=[session],
                   readings=[], context=context, session_log=log, symptom_report=symptom_report, note=note,
                   late=True, supersede=True)


def _alert(plan: Plan, decision: Decision):
    athlete = plan.injury.athlete
    url = f"/clinic/athletes/{athlete.pk}/#decision-{decision.pk}"
    topic = f"decision:{decision.pk}"
    if decision.decided_by_rule == "rule.red_flag":
        # One alert per red-flag session, however often the plan is evaluated afterwards.
        refs = next((r.get("values", {}).get("sessions", []) for r in decision.reasons
                     if r.get("code") == "rule.red_flag"), [])
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


@transaction.atomic
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
