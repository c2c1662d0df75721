"""Plans: start, pause and resume, the settings a clinician changes at any time, the notes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from athletes.models import Athlete
from athletes.selectors import clinicians_of
from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.notifications import notify
from sessions.models import Assessment

from .. import engine
from ..engine_io import (
    engine_protocol,
    local_today,
    to_json_safe,
)
from ..models import Decision, Plan, PlanNote, Protocol
from .base import (
    OPEN_PLAN_EXISTS,
    PLAN_AUDIT_FIELDS,
    _check_version,
    _locked,
    _needs_clearance_date,
    _require_clinician,
)
from .evaluation import plan_evaluate, plan_reevaluate_if_changed


@transaction.atomic
def plan_start(*, actor, injury, protocol: Protocol, start_phase: int = 0, start_date=None, baseline_weekly_load=None,
               advance_requires_signoff: bool = True, clearance_date=None, now=None) -> Plan:
    """Start a plan for an injury. A plan started after clearance (P6) needs the clearance date. The injury's
    assessments that belong to no plan yet (the baseline) join the first stint."""

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
    changed = {}
    for name, value in fields.items():
        target = athlete if name in ATHLETE_SETTINGS else plan
        if getattr(target, name) != value:
            changed[name] = (target, getattr(target, name), value)
    if not changed:
        return plan, {}
    if "clearance_date" in changed:
        _check_clearance_date(plan, fields["clearance_date"], today=local_today(plan, now))
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


def _check_clearance_date(plan: Plan, value, *, today) -> None:
    if value is not None and value > today:
        raise ValidationError({"clearance_date": "The clearance date cannot be in the future."})
    if value is None and _needs_clearance_date(engine_protocol(plan.protocol), plan.current_phase):
        raise ValidationError({"clearance_date": "A plan after clearance needs its clearance date."})
    if value is not None and value < plan.injury.date_of_injury:
        raise ValidationError({"clearance_date": "The clearance date cannot be before the injury."})


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


@transaction.atomic
def plan_note_create(*, actor, plan: Plan, body: str, now=None) -> PlanNote:
    """A note in the plan's conversation. The athlete, their coach and their clinicians may write."""

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
