"""Writes for assessments, session logs and next-morning reports.

Creates from a phone carry a client-generated id: the same id with the same data returns the first
record (created=False); the same id with different data is a Conflict. Each write re-evaluates the
athlete's active plan in the same transaction.
"""
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from athletes.models import Athlete
from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict

from .checklists import CHECKLISTS, checklist_for_phase
from .checklists import score as checklist_score
from .models import Assessment, SessionLog, SymptomReport, TechniqueRating

SESSION_FIELDS = (
    "date", "pain_during", "rpe", "minutes", "reps_done", "strength_lsi", "strength_method", "technique",
    "technique_fresh", "technique_fatigued", "peak_speed_pct", "efforts_95", "full_session", "red_flag",
    "apprehension", "notes",
)
REPORT_FIELDS = ("soreness_24h", "sleep_quality", "fatigue", "notes")
ASSESSMENT_FIELDS = (
    "assessed_on", "pain_palpation", "ake_deficit_deg", "pslr_injured_deg", "pslr_uninjured_deg", "strength_method",
    "strength_injured_n", "strength_uninjured_n", "h_test_insecurity", "technique_pct", "notes",
)


def _check_fields(fields, allowed, what):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {sorted(unknown)}")


def _in_scope(user, athlete: Athlete) -> bool:
    return Athlete.objects.filter(access_for(user).athlete_q(), pk=athlete.pk).exists()


def _same(value_a, value_b) -> bool:
    if value_a is None or value_b is None:
        return value_a is None and value_b is None
    if isinstance(value_a, Decimal | int | float) and not isinstance(value_a, bool):
        try:
            return Decimal(str(value_a)) == Decimal(str(value_b))
        except Exception:
            return False
    return str(value_a) == str(value_b)


def _replay(existing, fields: dict, owner_ok: bool, what: str):
    """A retried create: the first record if the data matches, else a Conflict."""
    if not owner_ok:
        raise Conflict(f"This {what} id has already been used. Generate a new one.")
    different = [name for name, value in fields.items() if not _same(getattr(existing, name), value)]
    if different:
        raise Conflict(
            f"This {what} was already submitted with different values ({', '.join(sorted(different))}). "
            "Nothing was changed; if you meant to submit a new one, use a new id.",
            current=existing,
        )
    return existing, False


def _clean_client_id(client_id):
    if client_id in (None, ""):
        return uuid.uuid4()
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError({"client_id": "The submission id is not a valid UUID."}) from None


def _reevaluate(*, athlete, actor, trigger, now=None, **refs):
    from progression.services import plan_evaluate_for_athlete

    return plan_evaluate_for_athlete(athlete=athlete, actor=actor, trigger=trigger, now=now, **refs)


def _local_date(athlete, now):
    return athlete.organisation.today(now)


@transaction.atomic
def session_log_create(*, actor, athlete: Athlete, client_id=None, now=None, **fields) -> tuple[SessionLog, bool]:
    """Log a session. Returns (log, created). Re-evaluates the active plan when created."""
    _check_fields(fields, SESSION_FIELDS, "session")
    if not _in_scope(actor, athlete):
        raise PermissionDenied("You cannot log sessions for this athlete.")
    client_id = _clean_client_id(client_id)
    existing = SessionLog.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replay(existing, fields, existing.athlete_id == athlete.pk, "session")
    from progression.models import Plan

    plan = Plan.objects.filter(injury__athlete=athlete, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
    now = now or clock.now()
    log = SessionLog(athlete=athlete, plan=plan, phase=plan.current_phase if plan else None, client_id=client_id,
                     logged_by=actor, logged_at=now, recorded_on=_local_date(athlete, now), **fields)
    log.full_clean(exclude=["client_id"])
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        # A concurrent retry won the race: answer as for any retry.
        existing = SessionLog.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _replay(existing, fields, existing.athlete_id == athlete.pk, "session")
    audit_record(actor=actor, action="session_log.create", target=log, after=snapshot(log))
    _reevaluate(athlete=athlete, actor=actor, trigger="session_log", session_log=log, now=now)
    return log, True


@transaction.atomic
def symptom_report_create(*, actor, session_log: SessionLog, client_id=None, now=None, **fields) -> tuple[SymptomReport, bool]:
    """The next-morning report for a session. One per session; a retry returns the first."""
    _check_fields(fields, REPORT_FIELDS, "report")
    athlete = session_log.athlete
    if not _in_scope(actor, athlete):
        raise PermissionDenied("You cannot report for this athlete.")
    client_id = _clean_client_id(client_id)
    existing = SymptomReport.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replay(existing, fields, existing.session_log_id == session_log.pk, "report")
    existing = SymptomReport.objects.filter(session_log=session_log).first()
    if existing is not None:
        different = [n for n, v in fields.items() if not _same(getattr(existing, n), v)]
        if not different:
            return existing, False
        raise Conflict("This session already has a next-morning report. Ask your clinician to correct it.", current=existing)
    now = now or clock.now()
    report = SymptomReport(session_log=session_log, client_id=client_id, reported_by=actor, reported_at=now, **fields)
    report.full_clean(exclude=["client_id", "session_log"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        existing = SymptomReport.objects.filter(session_log=session_log).first()
        if existing is None:
            raise
        return _replay(existing, fields, True, "report")
    audit_record(actor=actor, action="symptom_report.create", target=report, after=snapshot(report))
    _reevaluate(athlete=athlete, actor=actor, trigger="symptom_report", symptom_report=report, now=now)
    return report, True


@transaction.atomic
def technique_rate(*, actor, session_log: SessionLog, kind: str | None = None, items_correct=(), fresh_pct=None,
                   fatigued_pct=None, video=None, video_url: str = "", notes: str = "", now=None) -> TechniqueRating:
    """A coach's (or clinician's) technique rating. The checklist score becomes the session's `technique`, the
    fresh / fatigued scores its `technique_fresh` / `technique_fatigued`; then the plan is re-evaluated."""
    access = access_for(actor)
    athlete = session_log.athlete
    if not _in_scope(actor, athlete) or not (access.is_clinician or athlete.team_id in access.coach_team_ids):
        raise PermissionDenied("Only the athlete's coach or clinician can rate technique.")
    kind = kind or checklist_for_phase(session_log.phase)
    if kind not in CHECKLISTS:
        raise ValidationError({"kind": "Choose the drill checklist or the S-MAS."})
    try:
        value = checklist_score(kind, items_correct)
    except ValueError as exc:
        raise ValidationError({"items_correct": str(exc)}) from None
    rating = TechniqueRating(
        session_log=session_log, kind=kind, items_correct=sorted(set(items_correct)), score=value,
        fresh_pct=fresh_pct, fatigued_pct=fatigued_pct, video=video or "", video_url=video_url or "", notes=notes,
        rated_by=actor, rated_at=now or clock.now(),
    )
    rating.full_clean()
    rating.save()
    log = SessionLog.objects.select_for_update().get(pk=session_log.pk)
    before = snapshot(log, ["technique", "technique_fresh", "technique_fatigued"])
    log.technique, log.technique_fresh, log.technique_fatigued = value, fresh_pct, fatigued_pct
    log.full_clean()
    log.save(update_fields=["technique", "technique_fresh", "technique_fatigued"])
    audit_record(actor=actor, action="session_log.rate_technique", target=log, before=before,
                 after={**snapshot(log, ["technique", "technique_fresh", "technique_fatigued"]), "rating": rating.pk})
    _reevaluate(athlete=athlete, actor=actor, trigger="session_log", session_log=log, now=now)
    return rating


@transaction.atomic
def assessment_create(*, actor, injury, now=None, **fields) -> Assessment:
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    if not access_for(actor).can_manage_org(injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can record assessments.")
    assessment = Assessment(injury=injury, clinician=actor, recorded_on=_local_date(injury.athlete, now), **fields)
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="assessment.create", target=assessment, after=snapshot(assessment))
    _reevaluate(athlete=injury.athlete, actor=actor, trigger="assessment", assessment=assessment, now=now)
    return assessment
