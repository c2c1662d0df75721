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
from .assessments import assessment_correct, assessment_create, assessment_void, assessments_create_many
from .logs import (
    session_log_correct,
    session_log_correctable_by,
    session_log_create,
    session_log_void,
    session_measurements_set,
)
from .ownership import (
    ASSESSMENT_FIELDS,
    ATHLETE,
    ATHLETE_SESSION_FIELDS,
    CLINICIAN,
    CLINICIAN_SESSION_FIELDS,
    COACH,
    MEASUREMENT_FIELDS,
    REPORT_FIELDS,
    REPORT_OPENS_AT,
    SESSION_FIELDS,
    STAFF_SESSION_FIELDS,
    actor_role,
    check_owner,
)
from .ratings import technique_rate, technique_rating_void
from .reports import (
    report_is_open,
    report_opens_at,
    report_too_early_message,
    symptom_report_correct,
    symptom_report_correctable_by,
    symptom_report_create,
    symptom_report_void,
)

__all__ = [
    "ASSESSMENT_FIELDS", "ATHLETE", "ATHLETE_SESSION_FIELDS", "CLINICIAN", "CLINICIAN_SESSION_FIELDS", "COACH",
    "MEASUREMENT_FIELDS", "REPORT_FIELDS", "REPORT_OPENS_AT", "SESSION_FIELDS", "STAFF_SESSION_FIELDS",
    "actor_role", "assessment_correct", "assessment_create", "assessment_void", "assessments_create_many", "check_owner", "report_is_open",
    "report_opens_at", "report_too_early_message", "session_log_correct", "session_log_correctable_by",
    "session_log_create", "session_log_void", "session_measurements_set", "symptom_report_correct",
    "symptom_report_correctable_by", "symptom_report_create", "symptom_report_void", "technique_rate",
    "technique_rating_void",
]
