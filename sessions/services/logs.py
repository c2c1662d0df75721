"""Session logs: the athlete's entry, staff's measurements, corrections and voids."""
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from athletes.models import Athlete
from core import clock
from core.audit import audit_record, snapshot
from core.transactions import service_atomic

from ..models import SessionLog, exact_speed_pct
from .ownership import (
    ATHLETE,
    ATHLETE_SESSION_FIELDS,
    CLINICIAN,
    COACH,
    MEASUREMENT_FIELDS,
    SESSION_FIELDS,
    _apply_correction,
    _changes,
    _check_fields,
    _clean_client_id,
    _local_date,
    _replay,
    _require_reason,
    _require_role,
    _set,
    actor_role,
    check_owner,
)

#: A new log's relations, given as objects the service already checked (athlete, plan, actor).
NEW_ROW_RELATIONS = ("athlete", "plan", "logged_by", "voided_by")

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


@service_atomic
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
    # Validated once: the fields' ranges and the model's rules. Not the relations (objects in hand: a query each)
    # nor the check constraints (a query each; the database enforces them on the INSERT anyway).
    log.full_clean(exclude=["client_id", *NEW_ROW_RELATIONS], validate_constraints=False)
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
    _apply_correction(log, changed, actor=actor, action="session_log.correct", reason=reason, now=now,
                      exclude=["client_id"])
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
