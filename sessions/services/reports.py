"""Next-morning reports: accepted from 04:00 the day after the session; corrections and voids."""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core import clock
from core.audit import audit_record, snapshot
from core.exceptions import Conflict
from core.transactions import service_atomic

from ..models import SessionLog, SymptomReport
from .ownership import (
    ATHLETE,
    CLINICIAN,
    COACH,
    REPORT_FIELDS,
    REPORT_OPENS_AT,
    _apply_correction,
    _changes,
    _check_fields,
    _clean_client_id,
    _local_date,
    _replay,
    _require_reason,
    _require_role,
    actor_role,
)

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


@service_atomic
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
    # Validated once: ranges and rules; no query per relation or check constraint (the database enforces them).
    report.full_clean(exclude=["client_id", "session_log", "reported_by", "voided_by"], validate_constraints=False)
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
    _apply_correction(report, changed, actor=actor, action="symptom_report.correct", reason=reason, now=now,
                      exclude=["client_id", "session_log"])
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
