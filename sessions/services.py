"""Writes for assessments, session logs, session measurements, technique ratings and next-morning reports.

These functions only write (permission, validation, the row, its audit event). Evaluating the plan afterwards
is orchestrated one layer up, in `progression.evidence`, which is what pages and the API call: this app never
imports `progression`.

**Every input has an owner** (PROTOCOL.md, "Who enters what"): the athlete enters what they feel (pain, RPE,
minutes, reps, red flag, notes, next-morning soreness, sleep, fatigue); staff (coach or clinician) what they
measure in a session (technique, peak speed, efforts at >= 95 %, a full team session); the clinician what they
assess (strength LSI, the H-test). A field outside the actor's share is refused with an error naming it.

**Phones retry**: creates carry a client-generated id; the same id with the same data returns the first record
(created=False); the same id with other data is a Conflict.

**Corrections, never silent edits**: a correction keeps the old values in the audit trail (before/after and the
reason) and stamps `corrected_at`; a void keeps the row, marks it void with its reason, and the engine, charts
and workload no longer read it. Nothing clinical is deleted.
"""
import datetime
import uuid
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from athletes.models import Athlete
from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict

from .checklists import CHECKLISTS, checklist_for_phase
from .checklists import score as checklist_score
from .models import Assessment, SessionLog, SymptomReport, TechniqueRating, exact_speed_pct

#: What the athlete enters after a session.
ATHLETE_SESSION_FIELDS = ("date", "pain_during", "rpe", "minutes", "reps_done", "red_flag", "notes")
#: What a coach or a clinician measures in a session.
STAFF_SESSION_FIELDS = ("technique", "technique_fresh", "technique_fatigued", "peak_speed_pct", "peak_speed_mps",
                        "efforts_95", "full_session")
#: What only a clinician records with a session.
CLINICIAN_SESSION_FIELDS = ("strength_lsi", "strength_method", "apprehension")
SESSION_FIELDS = ATHLETE_SESSION_FIELDS + STAFF_SESSION_FIELDS + CLINICIAN_SESSION_FIELDS
MEASUREMENT_FIELDS = ("peak_speed_pct", "peak_speed_mps", "efforts_95", "full_session", "apprehension")
REPORT_FIELDS = ("soreness_24h", "sleep_quality", "fatigue", "notes")
ASSESSMENT_FIELDS = (
    "assessed_on", "pain_palpation", "ake_deficit_deg", "pslr_injured_deg", "pslr_uninjured_deg", "strength_method",
    "strength_injured_n", "strength_uninjured_n", "h_test_insecurity", "technique_pct", "notes",
)
#: A next-morning report for a session on day D is accepted from this local time on day D+1 (PROTOCOL.md).
REPORT_OPENS_AT = datetime.time(4, 0)

CLINICIAN, COACH, ATHLETE = "clinician", "coach", "athlete"
_SHARE = {
    ATHLETE: set(ATHLETE_SESSION_FIELDS),
    COACH: set(ATHLETE_SESSION_FIELDS) | set(STAFF_SESSION_FIELDS),
    CLINICIAN: set(SESSION_FIELDS),
}
_OWNER_WORDS = {
    **{f: "your coach or clinician measures it" for f in STAFF_SESSION_FIELDS},
    **{f: "your clinician records it" for f in CLINICIAN_SESSION_FIELDS},
}
_LABELS = {
    "technique": "a technique score", "technique_fresh": "a technique score", "technique_fatigued": "a technique score",
    "peak_speed_pct": "the peak speed", "peak_speed_mps": "the peak speed", "efforts_95": "efforts at 95 %",
    "full_session": "a full team session", "strength_lsi": "a strength LSI", "strength_method": "a strength test",
    "apprehension": "an H-test score",
}


# --- who is acting --------------------------------------------------------------------------------------------

def actor_role(actor, athlete: Athlete) -> str | None:
    """The actor's part in this athlete's care: "clinician", "coach", "athlete" or None (out of scope)."""
    access = access_for(actor)
    if access.can_manage_org(athlete.organisation_id):
        return CLINICIAN
    if athlete.team_id is not None and athlete.team_id in access.coach_team_ids:
        return COACH
    if access.user_id is not None and athlete.user_id == access.user_id:
        return ATHLETE
    return None


def _require_role(actor, athlete, *allowed, message: str) -> str:
    role = actor_role(actor, athlete)
    if role not in allowed:
        raise PermissionDenied(message)
    return role


def _set(value) -> bool:
    """A field counts as set when it carries a value (None, "" and False are "not recorded")."""
    return value is not None and value is not False and value != ""


def check_owner(fields: dict, role: str) -> None:
    """Refuse every field outside the role's share, naming it (PROTOCOL.md: no athlete sets a staff field)."""
    errors = {}
    for name, value in fields.items():
        if name not in _SHARE[role] and _set(value):
            who = "An athlete" if role == ATHLETE else "A coach"
            errors[name] = f"{who} cannot record {_LABELS.get(name, name)}: {_OWNER_WORDS.get(name, 'staff enter it')}."
    if errors:
        raise ValidationError(errors)


def _check_fields(fields, allowed, what):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {sorted(unknown)}")


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


def _local_date(athlete, now):
    return athlete.organisation.today(now)


def _changes(instance, fields: dict) -> dict:
    """The fields whose value differs from the instance's."""
    return {name: value for name, value in fields.items() if not _same(getattr(instance, name), value)}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: a correction is part of the clinical record."})
    return reason


# --- session logs ---------------------------------------------------------------------------------------------

def _apply_peak_speed(log: SessionLog, athlete: Athlete) -> None:
    """A speed measured in m/s becomes % of the athlete's Vmax (stored rounded down for display; the engine
    reads the exact ratio from the speed and the Vmax kept beside it)."""
    if log.peak_speed_mps is None:
        log.peak_speed_vmax_mps = None
        return
    if not athlete.vmax_mps:
        raise ValidationError({"peak_speed_mps": "This athlete has no maximal velocity (Vmax) on record: enter it "
                                                 "in the plan settings, or give the peak speed as % of Vmax."})
    pct = exact_speed_pct(log.peak_speed_mps, athlete.vmax_mps)
    if pct > 120:
        raise ValidationError({"peak_speed_mps": f"{log.peak_speed_mps} m/s is {pct:.0f} % of the recorded Vmax "
                                                 f"({athlete.vmax_mps} m/s): check the value, or update the Vmax."})
    log.peak_speed_vmax_mps = athlete.vmax_mps
    log.peak_speed_pct = pct.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


@transaction.atomic
def session_log_create(*, actor, athlete: Athlete, plan=None, client_id=None, now=None,
                       **fields) -> tuple[SessionLog, bool]:
    """Log a session for `athlete` (in `plan`, the athlete's open plan, if any). Returns (log, created)."""
    _check_fields(fields, SESSION_FIELDS, "session")
    role = _require_role(actor, athlete, CLINICIAN, COACH, ATHLETE, message="You cannot log sessions for this athlete.")
    check_owner(fields, role)
    client_id = _clean_client_id(client_id)
    existing = SessionLog.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replay(existing, fields, existing.athlete_id == athlete.pk, "session")
    if plan is not None and plan.injury.athlete_id != athlete.pk:
        raise ValidationError({"plan": "This plan belongs to another athlete."})
    now = now or clock.now()
    log = SessionLog(athlete=athlete, plan=plan, phase=plan.current_phase if plan else None, client_id=client_id,
                     logged_by=actor, logged_at=now, recorded_on=_local_date(athlete, now), **fields)
    _apply_peak_speed(log, athlete)
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
    return log, True


def session_log_correctable_by(actor, log: SessionLog, now=None) -> str | None:
    """Who may correct this log's own fields: a clinician of the organisation at any time, the athlete on the
    local day it was logged. Returns the role, or None."""
    role = actor_role(actor, log.athlete)
    if role == CLINICIAN:
        return role
    if role == ATHLETE and log.recorded_on == _local_date(log.athlete, now or clock.now()) and not log.is_void:
        return role
    return None


@transaction.atomic
def session_log_correct(*, actor, log: SessionLog, reason: str = "", now=None, **fields) -> tuple[SessionLog, dict]:
    """Correct what was logged for a session (pain, RPE, minutes, reps, red flag, notes, the date).

    A clinician, with a reason; the athlete, on the day they logged it. Returns (log, changed fields) with the
    old values in the audit event.
    """
    _check_fields(fields, ATHLETE_SESSION_FIELDS, "session")
    log = SessionLog.objects.select_for_update().select_related("athlete__organisation").get(pk=log.pk)
    role = session_log_correctable_by(actor, log, now)
    if role is None:
        raise PermissionDenied("Only a clinician can correct this session (or the athlete, on the day it was logged).")
    if log.is_void:
        raise ValidationError("This session was voided: there is nothing to correct.")
    reason = _require_reason(reason) if role == CLINICIAN else (reason or "").strip() or "Corrected by the athlete."
    changed = _changes(log, fields)
    if not changed:
        return log, {}
    before = snapshot(log, list(changed))
    for name, value in changed.items():
        setattr(log, name, value)
    log.corrected_at = now or clock.now()
    log.full_clean(exclude=["client_id"])
    log.save()
    audit_record(actor=actor, action="session_log.correct", target=log,
                 before=before, after={**snapshot(log, list(changed)), "reason": reason})
    return log, changed


@transaction.atomic
def session_log_void(*, actor, log: SessionLog, reason: str, now=None) -> SessionLog:
    """Void a session logged in error (a clinician, with a reason): it stays on record, struck through."""
    log = SessionLog.objects.select_for_update().select_related("athlete__organisation").get(pk=log.pk)
    _require_role(actor, log.athlete, CLINICIAN, message="Only a clinician can void a session.")
    reason = _require_reason(reason)
    if log.is_void:
        return log
    log.voided_at, log.voided_by, log.void_reason = now or clock.now(), actor, reason
    log.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="session_log.void", target=log, before={"voided_at": None},
                 after={"voided_at": log.voided_at.isoformat(), "reason": reason})
    return log


@transaction.atomic
def session_measurements_set(*, actor, log: SessionLog, reason: str = "", now=None, **fields) -> tuple[SessionLog, dict]:
    """Record what staff measured in a session: peak speed (m/s, converted with the athlete's Vmax, or % of Vmax),
    efforts at >= 95 %, a full team or race-pace session, and (clinicians) an H-test score.

    Adding a value is a measurement; changing or clearing one already recorded is a correction and needs a reason.
    Returns (log, changed fields).
    """
    _check_fields(fields, MEASUREMENT_FIELDS, "measurement")
    log = SessionLog.objects.select_for_update().select_related("athlete__organisation").get(pk=log.pk)
    role = _require_role(actor, log.athlete, CLINICIAN, COACH,
                         message="Only the athlete's coach or clinician records session measurements.")
    check_owner(fields, role)
    if log.is_void:
        raise ValidationError("This session was voided: measurements cannot be added to it.")
    if fields.get("peak_speed_mps") is not None:
        fields.pop("peak_speed_pct", None)  # derived from the speed and the Vmax below
    elif fields.get("peak_speed_pct") is not None:
        fields["peak_speed_mps"] = None  # given directly as % of Vmax: no measured speed
    changed = _changes(log, fields)
    if not changed:
        return log, {}
    corrects = [name for name in changed if _set(getattr(log, name))]
    if corrects:
        reason = _require_reason(reason)
    before = snapshot(log, list(changed) + ["peak_speed_pct", "peak_speed_vmax_mps"])
    for name, value in changed.items():
        setattr(log, name, value)
    _apply_peak_speed(log, log.athlete)
    if corrects:
        log.corrected_at = now or clock.now()
    log.full_clean(exclude=["client_id"])
    log.save()
    after = snapshot(log, list(changed) + ["peak_speed_pct", "peak_speed_vmax_mps"])
    if corrects:
        after["reason"] = reason
    audit_record(actor=actor, action="session_log.correct_measurements" if corrects else "session_log.measure",
                 target=log, before=before, after=after)
    return log, changed


# --- next-morning reports -------------------------------------------------------------------------------------

def report_opens_at(log: SessionLog) -> datetime.datetime:
    """When the next-morning report for a session may first be sent: 04:00 local time the day after."""
    tz = log.athlete.organisation.tz
    return datetime.datetime.combine(log.date + datetime.timedelta(days=1), REPORT_OPENS_AT, tzinfo=tz)


def report_too_early_message(log: SessionLog) -> str:
    opens = report_opens_at(log)
    return (f"It is too early for the next-morning report: soreness is judged the morning after. Come back from "
            f"{opens:%H:%M} on {opens:%A} {opens.day} {opens:%B}.")


def report_is_open(log: SessionLog, now=None) -> bool:
    return (now or clock.now()) >= report_opens_at(log)


@transaction.atomic
def symptom_report_create(*, actor, session_log: SessionLog, client_id=None, now=None,
                          **fields) -> tuple[SymptomReport, bool]:
    """The next-morning report for a session. One per session; a retry returns the first.

    Accepted from 04:00 local time the day after the session (the 24-hour rule), never earlier.
    """
    _check_fields(fields, REPORT_FIELDS, "report")
    athlete = session_log.athlete
    _require_role(actor, athlete, CLINICIAN, COACH, ATHLETE, message="You cannot report for this athlete.")
    client_id = _clean_client_id(client_id)
    existing = SymptomReport.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replay(existing, fields, existing.session_log_id == session_log.pk, "report")
    if session_log.is_void:
        raise ValidationError("This session was voided: it needs no next-morning report.")
    existing = SymptomReport.objects.filter(session_log=session_log).first()
    if existing is not None and not existing.is_void:
        if not _changes(existing, fields):
            return existing, False
        raise Conflict("This session already has a next-morning report. Ask your clinician to correct it.", current=existing)
    now = now or clock.now()
    if not report_is_open(session_log, now):
        raise ValidationError({"soreness_24h": report_too_early_message(session_log)})
    if existing is not None:  # a voided report is replaced, its old values kept in the audit trail
        before = snapshot(existing)
        report = existing
        for name, value in fields.items():
            setattr(report, name, value)
        report.client_id, report.reported_by, report.reported_at = client_id, actor, now
        report.voided_at, report.voided_by, report.void_reason = None, None, ""
        report.full_clean(exclude=["client_id", "session_log"])
        report.save()
        audit_record(actor=actor, action="symptom_report.create", target=report, before=before, after=snapshot(report))
        return report, True
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
    return report, True


def symptom_report_correctable_by(actor, report: SymptomReport, now=None) -> str | None:
    athlete = report.session_log.athlete
    role = actor_role(actor, athlete)
    if role == CLINICIAN:
        return role
    if role == ATHLETE and not report.is_void and (
        clock.local_today(athlete.organisation.tz, report.reported_at) == _local_date(athlete, now or clock.now())
    ):
        return role
    return None


@transaction.atomic
def symptom_report_correct(*, actor, report: SymptomReport, reason: str = "", now=None,
                           **fields) -> tuple[SymptomReport, dict]:
    """Correct a next-morning report: a clinician with a reason, or the athlete on the day they sent it."""
    _check_fields(fields, REPORT_FIELDS, "report")
    report = SymptomReport.objects.select_for_update().select_related("session_log__athlete__organisation").get(pk=report.pk)
    role = symptom_report_correctable_by(actor, report, now)
    if role is None:
        raise PermissionDenied("Only a clinician can correct this report (or the athlete, on the day they sent it).")
    if report.is_void:
        raise ValidationError("This report was voided: there is nothing to correct.")
    reason = _require_reason(reason) if role == CLINICIAN else (reason or "").strip() or "Corrected by the athlete."
    changed = _changes(report, fields)
    if not changed:
        return report, {}
    before = snapshot(report, list(changed))
    for name, value in changed.items():
        setattr(report, name, value)
    report.corrected_at = now or clock.now()
    report.full_clean(exclude=["client_id", "session_log"])
    report.save()
    audit_record(actor=actor, action="symptom_report.correct", target=report,
                 before=before, after={**snapshot(report, list(changed)), "reason": reason})
    return report, changed


@transaction.atomic
def symptom_report_void(*, actor, report: SymptomReport, reason: str, now=None) -> SymptomReport:
    """Void a report sent in error (a clinician): the session counts as unreported again."""
    report = SymptomReport.objects.select_for_update().select_related("session_log__athlete__organisation").get(pk=report.pk)
    _require_role(actor, report.session_log.athlete, CLINICIAN, message="Only a clinician can void a report.")
    reason = _require_reason(reason)
    if report.is_void:
        return report
    report.voided_at, report.voided_by, report.void_reason = now or clock.now(), actor, reason
    report.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="symptom_report.void", target=report, before=snapshot(report, list(REPORT_FIELDS)),
                 after={"voided_at": report.voided_at.isoformat(), "reason": reason})
    return report


# --- technique ratings ----------------------------------------------------------------------------------------

def _session_technique_from_ratings(log: SessionLog) -> tuple:
    """The session's technique scores from its ratings that stand: the latest rating's score; fresh and fatigued
    from the latest rating that scored them (a re-rating without them keeps the earlier ones)."""
    ratings = list(log.technique_ratings.filter(voided_at__isnull=True).order_by("-rated_at", "-id"))
    if not ratings:
        return None, None, None
    split = next((r for r in ratings if r.fresh_pct is not None and r.fatigued_pct is not None), None)
    return ratings[0].score, split.fresh_pct if split else None, split.fatigued_pct if split else None


def _refresh_session_technique(actor, log: SessionLog, rating_pk, action: str) -> None:
    log = SessionLog.objects.select_for_update().get(pk=log.pk)
    before = snapshot(log, ["technique", "technique_fresh", "technique_fatigued"])
    log.technique, log.technique_fresh, log.technique_fatigued = _session_technique_from_ratings(log)
    log.full_clean(exclude=["client_id"])
    log.save(update_fields=["technique", "technique_fresh", "technique_fatigued"])
    audit_record(actor=actor, action=action, target=log, before=before,
                 after={**snapshot(log, ["technique", "technique_fresh", "technique_fatigued"]), "rating": rating_pk})


@transaction.atomic
def technique_rate(*, actor, session_log: SessionLog, kind: str | None = None, items_correct=(), fresh_pct=None,
                   fatigued_pct=None, video=None, video_url: str = "", notes: str = "", now=None) -> TechniqueRating:
    """A coach's (or clinician's) technique rating. The checklist score becomes the session's `technique`; the
    fresh / fatigued scores its `technique_fresh` / `technique_fatigued` (kept from an earlier rating when this
    one does not score them)."""
    athlete = session_log.athlete
    _require_role(actor, athlete, CLINICIAN, COACH, message="Only the athlete's coach or clinician can rate technique.")
    if session_log.is_void:
        raise ValidationError("This session was voided: it cannot be rated.")
    kind = kind or checklist_for_phase(session_log.phase)
    if kind not in CHECKLISTS:
        raise ValidationError({"kind": "Choose the drill checklist or the S-MAS."})
    if (fresh_pct is None) != (fatigued_pct is None):
        raise ValidationError({"fatigued_pct" if fatigued_pct is None else "fresh_pct":
                               "Score both the first and the last reps, or neither."})
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
    audit_record(actor=actor, action="technique_rating.create", target=rating, after=snapshot(rating))
    _refresh_session_technique(actor, session_log, rating.pk, "session_log.rate_technique")
    return rating


@transaction.atomic
def technique_rating_void(*, actor, rating: TechniqueRating, reason: str, now=None) -> TechniqueRating:
    """Void a rating given in error (the coach who gave it, or a clinician); the session's scores fall back to
    the ratings that stand."""
    rating = TechniqueRating.objects.select_for_update().select_related("session_log__athlete__organisation").get(pk=rating.pk)
    role = _require_role(actor, rating.session_log.athlete, CLINICIAN, COACH,
                         message="Only the athlete's coach or clinician can void a rating.")
    if role == COACH and rating.rated_by_id != getattr(actor, "pk", None):
        raise PermissionDenied("A coach can void only their own ratings; ask a clinician.")
    reason = _require_reason(reason)
    if rating.is_void:
        return rating
    rating.voided_at, rating.voided_by, rating.void_reason = now or clock.now(), actor, reason
    rating.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="technique_rating.void", target=rating, before={"voided_at": None},
                 after={"voided_at": rating.voided_at.isoformat(), "reason": reason})
    _refresh_session_technique(actor, rating.session_log, rating.pk, "session_log.rate_technique")
    return rating


# --- assessments ----------------------------------------------------------------------------------------------

@transaction.atomic
def assessment_create(*, actor, injury, plan=None, now=None, **fields) -> Assessment:
    """A clinical assessment of an injury (in `plan`, the injury's open plan, if any)."""
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    if not access_for(actor).can_manage_org(injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can record assessments.")
    if plan is not None and plan.injury_id != injury.pk:
        raise ValidationError({"plan": "This plan follows another injury."})
    assessment = Assessment(injury=injury, plan=plan, clinician=actor, recorded_on=_local_date(injury.athlete, now),
                            **fields)
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="assessment.create", target=assessment, after=snapshot(assessment))
    return assessment


@transaction.atomic
def assessment_correct(*, actor, assessment: Assessment, reason: str, now=None, **fields) -> tuple[Assessment, dict]:
    """Correct an assessment (a clinician, with a reason); the LSI is recomputed."""
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    assessment = Assessment.objects.select_for_update().select_related("injury__athlete__organisation").get(pk=assessment.pk)
    if not access_for(actor).can_manage_org(assessment.injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can correct assessments.")
    if assessment.is_void:
        raise ValidationError("This assessment was voided: there is nothing to correct.")
    reason = _require_reason(reason)
    changed = _changes(assessment, fields)
    if not changed:
        return assessment, {}
    names = list(changed) + ["strength_lsi"]
    before = snapshot(assessment, names)
    for name, value in changed.items():
        setattr(assessment, name, value)
    assessment.corrected_at = now or clock.now()
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="assessment.correct", target=assessment, before=before,
                 after={**snapshot(assessment, names), "reason": reason})
    return assessment, changed


@transaction.atomic
def assessment_void(*, actor, assessment: Assessment, reason: str, now=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("injury__athlete__organisation").get(pk=assessment.pk)
    if not access_for(actor).can_manage_org(assessment.injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can void assessments.")
    reason = _require_reason(reason)
    if assessment.is_void:
        return assessment
    assessment.voided_at, assessment.voided_by, assessment.void_reason = now or clock.now(), actor, reason
    assessment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="assessment.void", target=assessment, before={"voided_at": None},
                 after={"voided_at": assessment.voided_at.isoformat(), "reason": reason})
    return assessment
