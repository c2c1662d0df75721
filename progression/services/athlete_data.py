"""The athlete's own data (issue 14, point 4): everything the app holds about one athlete as a zip (JSON + a CSV per
table, plus any extra files the caller passes, e.g. the FHIR Bundle), and anonymisation.

Both are audited and both refuse anyone outside the athlete's organisation: the export is for a clinician of the
athlete's organisation or for the athlete themself; anonymising is for a clinician of the organisation only.

Anonymising replaces the names, the date of birth (kept as 1 January of the same year, for age statistics), the free
text of every record (notes, reasons, the notes' bodies, alerts' text) and removes the login (the athlete's
membership is deleted; a user with no other membership is deactivated, renamed and gets an unusable password; its
sessions and API tokens end), and deletes the technique videos (they show the person). Clinical numbers (pain,
RPE, minutes, strength, LSI, speeds, the decisions' inputs and reasons) are kept for the clinic's statistics.
The audit trail is append-only (a database trigger refuses UPDATE), so its earlier rows keep what they recorded.
"""
import csv
import datetime
import io
import json
import zipfile

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from athletes.models import Athlete, Injury, Membership, Role
from core import clock
from core.access import access_for, forget_access
from core.audit import audit_record, snapshot
from core.jsonsafe import to_json_safe
from core.models import AuditEvent, Notification
from core.security import sessions_of
from core.tokens import api_tokens_revoke_all
from sessions.models import Assessment, SessionLog, SymptomReport, TechniqueRating

from ..models import Decision, Plan, PlanNote

REMOVED = "[removed]"
EXPORT_FORMAT = "rehab-athlete-export/1"


def _require_clinician(actor, athlete):
    if not access_for(actor).can_manage_org(athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this athlete's organisation can do that.")


def _may_export(actor, athlete) -> bool:
    if access_for(actor).can_manage_org(athlete.organisation_id):
        return True
    return bool(athlete.user_id) and athlete.user_id == getattr(actor, "pk", None) and actor.is_active


def athlete_tables(athlete) -> dict[str, list[dict]]:
    """Every row about the athlete, table by table (each row as its stored fields; foreign keys as ids)."""
    injuries = list(Injury.objects.filter(athlete=athlete).order_by("id"))
    plans = list(Plan.objects.filter(injury__athlete=athlete).order_by("id"))
    decisions = list(Decision.objects.filter(plan__in=plans).order_by("id"))
    sessions = list(SessionLog.objects.filter(athlete=athlete).order_by("date", "id"))
    reports = list(SymptomReport.objects.filter(session_log__athlete=athlete).order_by("id"))
    ratings = list(TechniqueRating.objects.filter(session_log__athlete=athlete).order_by("id"))
    assessments = list(Assessment.objects.filter(injury__athlete=athlete).order_by("assessed_on", "id"))
    notes = list(PlanNote.objects.filter(plan__in=plans).order_by("id"))
    about = Q(target_type=Athlete._meta.label_lower, target_id=str(athlete.pk))
    for rows in (injuries, plans, decisions, sessions, reports, ratings, assessments, notes):
        if rows:
            about |= Q(target_type=rows[0]._meta.label_lower, target_id__in=[str(row.pk) for row in rows])
    events = list(AuditEvent.objects.filter(about).order_by("at", "id"))
    return {
        "athlete": [snapshot(athlete)],
        "injuries": [snapshot(row) for row in injuries],
        "plans": [snapshot(row) for row in plans],
        "decisions": [snapshot(row) for row in decisions],
        "sessions": [snapshot(row) for row in sessions],
        "reports": [snapshot(row) for row in reports],
        "ratings": [snapshot(row) for row in ratings],
        "assessments": [snapshot(row) for row in assessments],
        "notes": [snapshot(row) for row in notes],
        "audit_events": [snapshot(row) for row in events],
    }


def _csv(rows: list[dict]) -> bytes:
    columns = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue().encode("utf-8")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    # A cell a spreadsheet would run as a formula starts with a quote instead (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def athlete_export_build(*, actor, athlete, extra_files: dict[str, bytes] | None = None) -> bytes:
    """The athlete's data as a zip: athlete.json (every table), one CSV per table, README.txt, and `extra_files`
    (name -> bytes: the FHIR Bundle, say) as given. Audited ("athlete.export")."""
    if not _may_export(actor, athlete):
        raise PermissionDenied("Only a clinician of this athlete's organisation, or the athlete, can export this.")
    tables = to_json_safe(athlete_tables(athlete))
    now = clock.now()
    document = {"format": EXPORT_FORMAT, "exported_at": now.isoformat(), "athlete_id": athlete.pk, **tables}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("athlete.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        for name, rows in tables.items():
            archive.writestr(f"csv/{name}.csv", _csv(rows))
        for name, data in (extra_files or {}).items():
            if name in archive.namelist() or name.startswith("/") or ".." in name.split("/"):
                raise ValueError(f"An extra file cannot be called {name!r}.")
            archive.writestr(name, data)
        archive.writestr("README.txt", _readme(tables, extra_files or {}, now))
    with transaction.atomic():
        audit_record(actor=actor, action="athlete.export", target=athlete,
                     after={"tables": {name: len(rows) for name, rows in tables.items()},
                            "extra_files": sorted(extra_files or {})})
    return buffer.getvalue()


def _readme(tables, extra_files, now) -> str:
    lines = [f"Everything Sprint Rehab holds about one athlete, exported {now:%Y-%m-%d %H:%M} UTC.", "",
             "athlete.json   every table below in one JSON document (ids link the tables)"]
    lines += [f"csv/{name}.csv   {len(rows)} row(s)" for name, rows in tables.items()]
    lines += [f"{name}   supplied with the export" for name in sorted(extra_files)]
    return "\n".join(lines) + "\n"


def export_filename(athlete, day: datetime.date) -> str:
    return f"athlete-{athlete.pk}-export-{day.isoformat()}.zip"


@transaction.atomic
def athlete_anonymise(*, actor, athlete, confirm: bool = False) -> dict:
    """Replace who the athlete is and every free text about them; remove their login; keep the clinical numbers.
    Irreversible: `confirm=True` is required. Returns what changed (counts)."""
    _require_clinician(actor, athlete)
    if not confirm:
        raise ValidationError("Confirm that you want to anonymise this athlete: it cannot be undone.")
    athlete = Athlete.objects.select_for_update().get(pk=athlete.pk)
    if athlete.anonymised_at is not None:
        raise ValidationError("This athlete is already anonymised.")
    counts = {}
    user = athlete.user
    athlete.first_name, athlete.last_name = "Anonymised", f"athlete {athlete.pk}"
    if athlete.date_of_birth is not None:
        athlete.date_of_birth = datetime.date(athlete.date_of_birth.year, 1, 1)
    athlete.position = ""
    athlete.user = None
    athlete.anonymised_at = clock.now()
    athlete.save()

    def blank(queryset, *fields):
        total = 0
        for field in fields:
            total += queryset.exclude(**{field: ""}).update(**{field: REMOVED})
        return total

    plans = Plan.objects.filter(injury__athlete=athlete)
    counts["texts_replaced"] = (
        blank(Injury.objects.filter(athlete=athlete), "notes")
        + blank(Assessment.objects.filter(injury__athlete=athlete), "notes", "void_reason")
        + blank(SessionLog.objects.filter(athlete=athlete), "notes", "void_reason")
        + blank(SymptomReport.objects.filter(session_log__athlete=athlete), "notes", "void_reason")
        + blank(TechniqueRating.objects.filter(session_log__athlete=athlete), "notes", "void_reason")
        + blank(PlanNote.objects.filter(plan__in=plans), "body")
        + blank(Decision.objects.filter(plan__in=plans), "trigger_note", "review_reason")
    )
    alerts = Notification.objects.filter(plan__in=plans)
    counts["alerts_replaced"] = alerts.update(title="Alert about an anonymised athlete", body="")
    videos = 0
    for rating in TechniqueRating.objects.filter(session_log__athlete=athlete).exclude(video=""):
        rating.video.delete(save=False)
        TechniqueRating.objects.filter(pk=rating.pk).update(video="")
        videos += 1
    counts["videos_deleted"] = videos
    counts["login_removed"] = user is not None
    if user is not None:
        _login_remove(actor=actor, user=user, athlete=athlete)
    audit_record(actor=actor, action="athlete.anonymise", target=athlete, after=counts)
    return counts


def _login_remove(*, actor, user, athlete):
    Membership.objects.filter(user=user, organisation_id=athlete.organisation_id, role=Role.ATHLETE).delete()
    forget_access(user)
    Session.objects.filter(session_key__in=[session.session_key for session in sessions_of(user)]).delete()
    api_tokens_revoke_all(user=user, actor=actor, reason="athlete anonymised")
    if not Membership.objects.filter(user=user).exists():
        User = get_user_model()
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        User._default_manager.filter(pk=user.pk).update(
            username=user.username, first_name="", last_name="", email="", is_active=False, password=user.password)
