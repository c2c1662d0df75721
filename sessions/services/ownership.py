"""Who may enter what (PROTOCOL.md, "Who enters what"), and the helpers every write shares: retries by client
id, changes, reasons."""
import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from athletes.models import Athlete
from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot
from core.exceptions import Conflict

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


def _apply_correction(instance, changed: dict, *, actor, action: str, reason: str, now=None, exclude=(),
                      also=()) -> None:
    """Write a correction: the changed values (and `also`, fields derived from them) before and after in the audit
    event with the reason, `corrected_at` stamped, the row validated and saved. Nothing is ever deleted."""
    names = list(changed) + list(also)
    before = snapshot(instance, names)
    for name, value in changed.items():
        setattr(instance, name, value)
    instance.corrected_at = now or clock.now()
    instance.full_clean(exclude=list(exclude))
    instance.save()
    audit_record(actor=actor, action=action, target=instance, before=before,
                 after={**snapshot(instance, names), "reason": reason})


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: a correction is part of the clinical record."})
    return reason
