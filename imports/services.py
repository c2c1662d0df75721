"""Imports: preview a file (nothing written), confirm it (everything in one transaction, or nothing), undo it
(a correction: what it wrote is voided or put back, audited, the plan re-evaluated). Also: column mappings,
pending measurements applied when their session is logged, and Vmax proposals.

Writes go through `sessions.services` (permission, validation, the row, its audit event); each plan an import
touches is then evaluated once, in the same transaction (`progression.services.plan_evaluate`), so a file of
5,000 tests is one decision per plan, not 5,000.
"""
import datetime
import hashlib
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from athletes import services as athlete_services
from athletes.models import Athlete, Injury, Organisation
from core import clock
from core.access import access_for
from core.audit import audit_record
from core.exceptions import Conflict
from progression import evidence
from progression.models import Decision, Plan
from progression.services import plan_evaluate, plan_open_for, plan_settings_update
from sessions import services as session_services
from sessions.models import (
    MAX_BACKDATE_DAYS,
    SessionLog,
    StrengthMethod,
    compute_lsi,
    exact_lsi,
    exact_speed_pct,
)

from . import parsing
from .models import ColumnMapping, ImportBatch, ImportedRecord, PendingMeasurement, VmaxProposal

READY, SKIP = "ready", "skip"
TO_ASSESSMENT, TO_MEASUREMENT, TO_PENDING = "assessment", "measurement", "pending"
LSI_FORMULA = "LSI = injured leg's force / uninjured leg's force × 100 (the injured side from the injury record)"
EFFORT_DEFINITION = (f"An effort is a continuous stretch at or above {parsing.EFFORT_PCT:g} % of the athlete's Vmax; "
                     f"it ends when the speed drops below {parsing.RESET_PCT:g} % of Vmax, so a dip that stays above "
                     f"{parsing.RESET_PCT:g} % does not split one sprint into two.")


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 10_000_000)


def size_words(n: int) -> str:
    """Bytes in words: "52.4 MB", "800 KB"."""
    return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB") if n >= 1_000_000 else f"{max(1, round(n / 1e3))} KB"


def too_large_message(size: int) -> str:
    return (f"The file is {size_words(size)}; the limit is {size_words(max_bytes())}. Export a shorter period, or "
            "split the file.")


def background_rows() -> int:
    return getattr(settings, "IMPORT_BACKGROUND_ROWS", 500)


def _require_clinician(actor, organisation_id, what="import device files"):
    if not access_for(actor).can_manage_org(organisation_id):
        raise PermissionDenied(f"Only a clinician of this organisation can {what}.")


def _progress_key(batch_id) -> str:
    return f"imports:progress:{batch_id}"


def progress_of(batch: ImportBatch) -> int:
    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return int(cache.get(_progress_key(batch.pk), batch.progress))
    return 100 if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.UNDONE) else batch.progress


# --- matching ---------------------------------------------------------------------------------------------

class _Athletes:
    """The organisation's athletes by external id and by name (read once per file)."""

    def __init__(self, organisation):
        self.by_id, self.by_name = {}, {}
        for athlete in Athlete.objects.filter(organisation=organisation):
            if athlete.external_id:
                self.by_id[athlete.external_id.strip().casefold()] = athlete
            self.by_name.setdefault(parsing.normalise_name(f"{athlete.first_name} {athlete.last_name}"), []).append(athlete)
        self.injuries, self.plans = {}, {}
        for injury in Injury.objects.filter(athlete__organisation=organisation).order_by("-date_of_injury", "-id"):
            self.injuries.setdefault(injury.athlete_id, []).append(injury)
        for plan in Plan.objects.filter(injury__athlete__organisation=organisation,
                                        status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).order_by("-created_at"):
            self.plans.setdefault(plan.injury_id, plan)

    def match(self, name: str, external_id: str):
        """(athlete, how it matched, problem)."""
        if external_id:
            athlete = self.by_id.get(external_id.strip().casefold())
            if athlete is not None:
                return athlete, f"external id {external_id}", ""
        if name:
            found = self.by_name.get(parsing.normalise_name(name), [])
            if len(found) == 1:
                return found[0], "name", ""
            if len(found) > 1:
                return None, "", (f"{len(found)} athletes are called “{name}”: give each an external id (on the "
                                  "athlete's page) and export it with the file.")
        who = " / ".join(x for x in (name and f"“{name}”", external_id and f"id {external_id}") if x)
        return None, "", f"No athlete {who} in this organisation (matched by external id, then by name)."

    def injury_for(self, athlete, day):
        """The injury a reading belongs to: the one with an open plan, else the latest before the day."""
        injuries = self.injuries.get(athlete.pk, [])
        for injury in injuries:
            if injury.pk in self.plans:
                return injury
        for injury in injuries:
            if injury.date_of_injury <= day:
                return injury
        return injuries[0] if injuries else None


def _d(value, places="0.1") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _local_day(org, day, time, utc: bool):
    if time is None or not utc:
        return day
    return datetime.datetime.combine(day, time, tzinfo=datetime.UTC).astimezone(org.tz).date()


def _existing_keys(organisation, keys) -> dict:
    found = {}
    for key, name, at in (ImportedRecord.objects.filter(organisation=organisation, active=True, key__in=list(keys))
                          .values_list("key", "batch__file_name", "batch__confirmed_at")):
        found[key] = (name, at)
    return found


# --- preview ----------------------------------------------------------------------------------------------

def _check_day(row_out, day, today, injury=None):
    if day > today:
        row_out["reasons"].append(f"Dated {day:%d %b %Y}, which is in the future.")
    elif day < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        row_out["reasons"].append(f"Dated {day:%d %b %Y}, more than {MAX_BACKDATE_DAYS} days ago.")
    if injury is not None and day < injury.date_of_injury:
        row_out["reasons"].append(f"Dated {day:%d %b %Y}, before the injury of {injury.date_of_injury:%d %b %Y}.")


def _strength_rows(parsed, org, people, today):
    utc = "utc" in parsed.columns.get("date", "").lower()
    out = []
    for row in parsed.rows:
        item = {"line": row.line, "name": row.name, "external_id": row.external_id, "reasons": list(row.problems),
                "target": TO_ASSESSMENT}
        athlete, how, problem = (people.match(row.name, row.external_id) if (row.name or row.external_id)
                                 else (None, "", ""))
        if problem:
            item["reasons"].append(problem)
        if athlete is not None:
            item.update(athlete_id=athlete.pk, athlete=athlete.full_name, match=how)
        v = row.values
        item["shown"] = {"device": v.get("device", ""), "test": v.get("test", ""), "left_n": v.get("left_n"),
                         "right_n": v.get("right_n"), "device_imbalance_pct": v.get("imbalance_pct")}
        if row.date is not None:
            day = _local_day(org, row.date, row.time, utc)
            item["date"] = day.isoformat()
            injury = people.injury_for(athlete, day) if athlete else None
            if athlete is not None and injury is None:
                item["reasons"].append(f"{athlete.full_name} has no injury on record: the LSI needs the injured side.")
            _check_day(item, day, today, injury)
            if injury is not None and v.get("left_n") and v.get("right_n") and not item["reasons"]:
                left, right = _d(v["left_n"]), _d(v["right_n"])
                injured, uninjured = (left, right) if injury.side == "left" else (right, left)
                lsi = exact_lsi(injured, uninjured)
                if lsi > 200:
                    item["reasons"].append("The injured leg reads more than twice the uninjured one: check the file.")
                item["shown"].update(injured_side=injury.side, lsi=str(compute_lsi(injured, uninjured)),
                                     method=StrengthMethod(v["method"]).label)
                notes = [f"Imported from {parsing.SOURCE_WORDS.get(parsed.source, parsed.source)}"]
                if v.get("device") or v.get("test"):
                    notes.append(" ".join(x for x in (v.get("device"), v.get("test")) if x))
                if v.get("imbalance_pct") is not None:
                    notes.append(f"device's own imbalance {v['imbalance_pct']:g} % (kept, not used)")
                item["write"] = {"injury_id": injury.pk, "assessed_on": day.isoformat(),
                                 "strength_method": v["method"], "strength_injured_n": str(injured),
                                 "strength_uninjured_n": str(uninjured), "notes": "; ".join(notes) + "."}
                item["key"] = (f"strength|{athlete.pk}|{day}|{row.time or ''}|{v['method']}|{left}|{right}")
        out.append(item)
    return out


def _speed_item(item, athlete, day, speed_mps, efforts, people, today, logs):
    """The shared part of a GPS summary line and a trace: Vmax, the session of the day, the key."""
    injury = people.injury_for(athlete, day)
    _check_day(item, day, today, injury)
    vmax = athlete.vmax_mps
    speed = _d(speed_mps, "0.01")
    item["shown"].update(speed_mps=str(speed), vmax_mps=str(vmax) if vmax else None, efforts_95=efforts)
    if not vmax:
        item["reasons"].append(f"{athlete.full_name} has no Vmax on record: enter it in the plan settings, then "
                               "import again (the peak speed is kept as % of Vmax).")
        return
    pct = exact_speed_pct(speed, vmax)
    item["shown"]["pct_vmax"] = str(pct.quantize(Decimal("0.1"), rounding=ROUND_FLOOR))
    if speed > vmax:
        item["vmax_proposal"] = str(speed)
    if pct > 120:
        item["reasons"].append(f"{speed} m/s is {pct:.0f} % of the recorded Vmax ({vmax} m/s): check the file, or "
                               "accept the proposed Vmax and import again.")
    if item["reasons"]:
        return
    day_logs = [log for log in logs.get((athlete.pk, day), [])]
    if len(day_logs) > 1:
        item["reasons"].append(f"{len(day_logs)} sessions are logged on {day:%d %b %Y}: enter the speed on the right "
                               "one by hand.")
        return
    write = {"peak_speed_mps": str(speed), "efforts_95": efforts}
    if day_logs:
        log = day_logs[0]
        for name, new in (("peak_speed_mps", speed), ("efforts_95", efforts)):
            old = getattr(log, name)
            if name == "peak_speed_mps" and old is None and log.peak_speed_pct is not None:
                old = f"{log.peak_speed_pct} % of Vmax"
            if old is not None and new is not None and str(old) != str(new):
                item["reasons"].append(f"The session of {day:%d %b %Y} already has {name.replace('_', ' ')} {old} "
                                       "(entered by hand): not overwritten. Correct it on the session if the file is "
                                       "right.")
        item["target"], item["session_log_id"] = TO_MEASUREMENT, log.pk
    else:
        item["target"] = TO_PENDING
    item["write"] = write
    item["key"] = f"speed|{athlete.pk}|{day}"


def _session_logs(org, pairs) -> dict:
    athletes = {a for a, _ in pairs}
    days = {d for _, d in pairs}
    logs = {}
    if not pairs:
        return logs
    for log in SessionLog.objects.filter(athlete_id__in=athletes, date__in=days, voided_at=None):
        logs.setdefault((log.athlete_id, log.date), []).append(log)
    return logs


def _speed_rows(parsed, org, people, today, efforts_are_95):
    out, pending = [], []
    for row in parsed.rows:
        item = {"line": row.line, "name": row.name, "external_id": row.external_id, "reasons": list(row.problems),
                "target": TO_MEASUREMENT, "shown": {}}
        athlete, how, problem = (people.match(row.name, row.external_id) if (row.name or row.external_id)
                                 else (None, "", ""))
        if problem:
            item["reasons"].append(problem)
        if athlete is not None:
            item.update(athlete_id=athlete.pk, athlete=athlete.full_name, match=how)
        if row.date is not None:
            item["date"] = row.date.isoformat()
        out.append(item)
        pending.append((item, athlete, row))
    logs = _session_logs(org, [(a.pk, r.date) for _, a, r in pending if a is not None and r.date is not None])
    for item, athlete, row in pending:
        if athlete is None or row.date is None or "speed_mps" not in row.values or item["reasons"]:
            continue
        efforts = row.values.get("efforts") if efforts_are_95 else None
        _speed_item(item, athlete, row.date, row.values["speed_mps"], efforts, people, today, logs)
    return out


def _trace_rows(parsed, org, people, today, athlete, day):
    item = {"line": 1, "name": "", "external_id": "", "reasons": [], "target": TO_MEASUREMENT, "shown": {}}
    if athlete is None or day is None:
        raise ValidationError({"athlete": "A raw speed trace holds one athlete's session: choose the athlete and the "
                                          "session date on the upload form."})
    athlete = Athlete.objects.get(pk=athlete.pk)
    item.update(athlete_id=athlete.pk, athlete=athlete.full_name, match="chosen on upload", date=day.isoformat(),
                name=athlete.full_name)
    if not athlete.vmax_mps:
        item["reasons"].append(f"{athlete.full_name} has no Vmax on record: efforts at ≥ 95 % cannot be counted. "
                               "Enter it in the plan settings, then import again.")
        item["shown"]["speed_mps"] = f"{max(parsed.trace_speeds_mps):.2f}"
        return [item], None
    try:
        summary = parsing.summarise(parsed.trace_times, parsed.trace_speeds_mps, float(athlete.vmax_mps))
    except parsing.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    item["shown"].update(samples=summary.samples, duration_s=summary.duration_s, rate_hz=summary.rate_hz,
                         threshold_mps=f"{summary.threshold_mps:.2f}", reset_mps=f"{summary.reset_mps:.2f}")
    logs = _session_logs(org, [(athlete.pk, day)])
    _speed_item(item, athlete, day, summary.peak_mps, summary.efforts, people, today, logs)
    return [item], summary


def _decide(rows, organisation):
    """Mark each row ready or skipped: its own reasons, a repeat within the file, or a reading already imported."""
    keys = [r["key"] for r in rows if r.get("key") and not r["reasons"]]
    existing = _existing_keys(organisation, keys)
    seen = {}
    for r in rows:
        key = r.get("key")
        if not r["reasons"] and key:
            if key in seen:
                r["reasons"].append(f"The same reading as line {seen[key]}: written once.")
            elif key in existing:
                name, at = existing[key]
                r["reasons"].append(f"Already imported from “{name}”" + (f" on {at:%d %b %Y}" if at else "")
                                    + ": not written twice.")
            seen.setdefault(key, r["line"])
        if not r["reasons"] and not r.get("write"):
            r["reasons"].append("Nothing to write on this line.")
        r["status"] = SKIP if r["reasons"] else READY
        r["reason"] = " ".join(r["reasons"])
        del r["reasons"]


@transaction.atomic
def import_preview(*, actor, organisation: Organisation, file_name: str, data: bytes, source: str = "auto",
                   mapping: ColumnMapping | None = None, unit: str = "auto", date_order: str = "dmy",
                   athlete: Athlete | None = None, session_date: datetime.date | None = None,
                   efforts_are_95: bool = False, now=None) -> ImportBatch:
    """Read a file and record its preview (nothing clinical is written). Raises ValidationError for a file that
    cannot be read, with the reason in plain words."""
    _require_clinician(actor, organisation.pk)
    now = now or clock.now()
    file_name = (file_name or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload.csv"
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError({"file": too_large_message(len(data))})
    if mapping is not None:
        if mapping.organisation_id != organisation.pk:
            raise ValidationError({"mapping": "No such column mapping."})
        source = mapping.kind
    if athlete is not None and athlete.organisation_id != organisation.pk:
        raise ValidationError({"athlete": "No such athlete."})
    try:
        text = parsing.decode(data)
        parsed = parsing.parse(text, source=source, mapping=mapping.columns if mapping else None, unit=unit,
                               date_order=date_order)
    except parsing.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if parsed.kind != parsing.TRACE and not parsed.rows:
        raise ValidationError({"file": "The file names its columns but holds no readings."})
    today = organisation.today(now)
    people = _Athletes(organisation)
    notes = list(parsed.notes)
    if parsed.kind == parsing.STRENGTH:
        rows = _strength_rows(parsed, organisation, people, today)
        notes.append(f"The LSI is the project's own: {LSI_FORMULA}. The device's own imbalance figure is kept beside "
                     "it in the assessment's notes, not used.")
    elif parsed.kind == parsing.SPEED:
        rows = _speed_rows(parsed, organisation, people, today, efforts_are_95)
        if efforts_are_95:
            notes.append("The efforts column is taken as efforts at ≥ 95 % of each athlete's Vmax (as chosen).")
        else:
            notes.append("Efforts are not written from a summary file unless its band is set at 95 % of each "
                         "athlete's Vmax (tick the box on the upload form); a raw trace counts them itself.")
    else:
        rows, _ = _trace_rows(parsed, organisation, people, today, athlete, session_date)
        notes.append(EFFORT_DEFINITION)
    _decide(rows, organisation)
    digest = hashlib.sha256(data).hexdigest()
    earlier = (ImportBatch.objects.filter(organisation=organisation, sha256=digest, status=ImportBatch.Status.DONE)
               .order_by("-confirmed_at").first())
    if earlier is not None:
        notes.insert(0, f"This same file was imported on {earlier.confirmed_at:%d %b %Y %H:%M}: its readings are not "
                        "written twice.")
    batch = ImportBatch.objects.create(
        organisation=organisation, created_by=actor, created_at=now, file_name=file_name, sha256=digest,
        size_bytes=len(data), source=parsed.source if parsed.source in ImportBatch.Source.values else source,
        kind=parsed.kind, options={"unit": parsed.unit, "date_order": date_order, "efforts_are_95": efforts_are_95,
                                   "mapping": mapping.name if mapping else "", "columns": parsed.columns},
        notes=notes, rows=rows, rows_total=len(rows), rows_ready=sum(r["status"] == READY for r in rows),
    )
    audit_record(actor=actor, action="import.preview", target=batch,
                 after={"file_name": file_name, "sha256": digest, "rows": len(rows), "ready": batch.rows_ready})
    return batch


# --- confirm ----------------------------------------------------------------------------------------------

def import_confirm_start(*, actor, batch: ImportBatch, now=None) -> ImportBatch:
    """Confirm a preview: at once for a small file, in the background (Celery) for a large one."""
    _require_clinician(actor, batch.organisation_id)
    if batch.rows_ready > background_rows():
        from .tasks import import_confirm_task  # tasks imports this module

        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _check_confirmable(locked)
            locked.status, locked.progress = ImportBatch.Status.QUEUED, 0
            locked.save(update_fields=["status", "progress"])
            cache.set(_progress_key(locked.pk), 0, 3600)
            transaction.on_commit(lambda: import_confirm_task.delay(locked.pk, actor.pk))
        return locked
    return import_confirm(actor=actor, batch=batch, now=now)


def _check_confirmable(batch, *, queued_ok=False):
    allowed = {ImportBatch.Status.PREVIEW} | ({ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING}
                                             if queued_ok else set())
    if batch.status not in allowed:
        raise Conflict(f"This import is {batch.get_status_display().lower()}: it cannot be confirmed again.")
    if not batch.rows_ready:
        raise ValidationError("No line of this file can be imported: see the reasons beside each line.")


def _changed_since_preview(batch) -> list[str]:
    """Lines whose preview no longer holds: a reading imported meanwhile, a session logged or measured."""
    ready = [r for r in batch.rows if r["status"] == READY]
    existing = _existing_keys(batch.organisation, [r["key"] for r in ready])
    problems = [f"line {r['line']}: now already imported" for r in ready if r["key"] in existing]
    speed = [r for r in ready if r["target"] in (TO_MEASUREMENT, TO_PENDING)]
    if speed:
        logs = _session_logs(batch.organisation, [(r["athlete_id"], datetime.date.fromisoformat(r["date"]))
                                                  for r in speed])
        for r in speed:
            found = logs.get((r["athlete_id"], datetime.date.fromisoformat(r["date"])), [])
            if r["target"] == TO_PENDING and found:
                problems.append(f"line {r['line']}: a session has been logged that day since the preview")
            if r["target"] == TO_MEASUREMENT and [log.pk for log in found] != [r["session_log_id"]]:
                problems.append(f"line {r['line']}: the sessions of that day changed since the preview")
    return problems


@transaction.atomic
def import_confirm(*, actor, batch: ImportBatch, now=None, queued=False) -> ImportBatch:
    """Write every ready line of the preview, then evaluate each plan touched once. All or nothing."""
    now = now or clock.now()
    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    _require_clinician(actor, batch.organisation_id)
    _check_confirmable(batch, queued_ok=queued)
    changed = _changed_since_preview(batch)
    if changed:
        raise Conflict("Things changed since the preview (" + "; ".join(changed[:5]) + "). Nothing was imported: "
                       "upload the file again for a new preview.")
    ready = [r for r in batch.rows if r["status"] == READY]
    athletes = {a.pk: a for a in Athlete.objects.filter(pk__in={r["athlete_id"] for r in ready})
                .select_related("organisation")}
    injuries = {i.pk: i for i in Injury.objects.filter(pk__in={r["write"]["injury_id"] for r in ready
                                                               if r["target"] == TO_ASSESSMENT})}
    plans_by_injury = {p.injury_id: p for p in Plan.objects.filter(injury__in=injuries.keys(),
                                                                   status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED])}
    for injury in injuries.values():
        injury.athlete = athletes.get(injury.athlete_id) or injury.athlete
    touched_athletes, counts = {}, {TO_ASSESSMENT: 0, TO_MEASUREMENT: 0, TO_PENDING: 0}
    strength = [r for r in ready if r["target"] == TO_ASSESSMENT]
    others = [r for r in ready if r["target"] != TO_ASSESSMENT]
    done = 0
    for start in range(0, len(strength), CHUNK):
        chunk = strength[start:start + CHUNK]
        _write_assessments(actor=actor, batch=batch, rows=chunk, athletes=athletes, injuries=injuries,
                           plans_by_injury=plans_by_injury, now=now)
        for r in chunk:
            touched_athletes[r["athlete_id"]] = athletes[r["athlete_id"]]
        counts[TO_ASSESSMENT] += len(chunk)
        done += len(chunk)
        cache.set(_progress_key(batch.pk), min(99, int(done * 100 / len(ready))), 3600)
    for r in others:
        athlete = athletes[r["athlete_id"]]
        try:
            record = _write_row(actor=actor, batch=batch, row=r, athlete=athlete, now=now)
        except ValidationError as exc:
            raise ValidationError(f"Line {r['line']}: {' '.join(exc.messages)} Nothing was imported.") from None
        counts[r["target"]] += 1
        if record.kind != ImportedRecord.Kind.PENDING:
            touched_athletes[athlete.pk] = athlete
        if r.get("vmax_proposal"):
            _propose_vmax(batch, athlete, r)
        done += 1
        cache.set(_progress_key(batch.pk), min(99, int(done * 100 / len(ready))), 3600)
    words = ", ".join(f"{n} {w}" for n, w in ((counts[TO_ASSESSMENT], "strength assessments"),
                                                  (counts[TO_MEASUREMENT], "session measurements"),
                                                  (counts[TO_PENDING], "measurements held for sessions not yet logged"))
                      if n)
    for athlete in touched_athletes.values():
        plan = plan_open_for(athlete)
        if plan is not None:
            trigger = Decision.Trigger.ASSESSMENT if batch.kind == parsing.STRENGTH else Decision.Trigger.MEASUREMENT
            plan_evaluate(plan=plan, actor=actor, trigger=trigger, now=now,
                          note=f"Imported from “{batch.file_name}”: {words}.")
    batch.status, batch.rows_written, batch.progress = ImportBatch.Status.DONE, len(ready), 100
    batch.confirmed_by, batch.confirmed_at = actor, now
    batch.save(update_fields=["status", "rows_written", "progress", "confirmed_by", "confirmed_at"])
    audit_record(actor=actor, action="import.confirm", target=batch,
                 after={"file_name": batch.file_name, "sha256": batch.sha256, "rows_written": len(ready), **counts})
    cache.set(_progress_key(batch.pk), 100, 3600)
    return batch


CHUNK = 500


def _save_records(records) -> None:
    try:
        with transaction.atomic():
            ImportedRecord.objects.bulk_create(records)
    except IntegrityError:
        raise ValidationError("A reading of this file was imported by another upload meanwhile. Nothing was "
                              "imported: upload the file again for a new preview.") from None


def _write_assessments(*, actor, batch, rows, athletes, injuries, plans_by_injury, now) -> None:
    items = []
    for r in rows:
        write = r["write"]
        injury = injuries[write["injury_id"]]
        items.append((injury, plans_by_injury.get(injury.pk), {
            "assessed_on": datetime.date.fromisoformat(write["assessed_on"]),
            "strength_method": write["strength_method"],
            "strength_injured_n": Decimal(write["strength_injured_n"]),
            "strength_uninjured_n": Decimal(write["strength_uninjured_n"]), "notes": write["notes"]}))
    try:
        assessments = session_services.assessments_create_many(actor=actor, items=items, now=now)
    except ValidationError as exc:
        line = rows[getattr(exc, "item_index", 0)]["line"]
        raise ValidationError(f"Line {line}: {' '.join(exc.messages)} Nothing was imported.") from None
    _save_records([ImportedRecord(batch=batch, organisation_id=batch.organisation_id, key=r["key"], line=r["line"],
                                  athlete=athletes[r["athlete_id"]], written=r["write"],
                                  kind=ImportedRecord.Kind.ASSESSMENT, assessment=a)
                   for r, a in zip(rows, assessments, strict=True)])


def _write_row(*, actor, batch, row, athlete, now) -> ImportedRecord:
    """A session's measurements, or a measurement held until its session is logged."""
    write = row["write"]
    record = ImportedRecord(batch=batch, organisation_id=batch.organisation_id, key=row["key"], line=row["line"],
                            athlete=athlete, written=write)
    if row["target"] == TO_MEASUREMENT:
        log = SessionLog.objects.get(pk=row["session_log_id"])
        record.before = {"peak_speed_mps": log.peak_speed_mps, "peak_speed_pct": log.peak_speed_pct,
                         "efforts_95": log.efforts_95}
        fields = {"peak_speed_mps": Decimal(write["peak_speed_mps"])}
        if write.get("efforts_95") is not None:
            fields["efforts_95"] = write["efforts_95"]
        session_services.session_measurements_set(actor=actor, log=log, now=now, **fields)
        record.kind, record.session_log = ImportedRecord.Kind.MEASUREMENT, log
    else:
        pending = PendingMeasurement.objects.create(
            organisation_id=batch.organisation_id, athlete=athlete, batch=batch,
            date=datetime.date.fromisoformat(row["date"]), peak_speed_mps=Decimal(write["peak_speed_mps"]),
            efforts_95=write.get("efforts_95"), created_at=now)
        record.kind, record.pending = ImportedRecord.Kind.PENDING, pending
    _save_records([record])
    return record


def _propose_vmax(batch, athlete, row):
    speed = Decimal(row["vmax_proposal"])
    if VmaxProposal.objects.filter(athlete=athlete, status=VmaxProposal.Status.OPEN, speed_mps__gte=speed).exists():
        return
    VmaxProposal.objects.filter(athlete=athlete, status=VmaxProposal.Status.OPEN).update(
        status=VmaxProposal.Status.DISMISSED, decided_at=clock.now())
    VmaxProposal.objects.create(organisation_id=batch.organisation_id, athlete=athlete, batch=batch,
                                measured_on=datetime.date.fromisoformat(row["date"]), speed_mps=speed,
                                recorded_vmax_mps=athlete.vmax_mps)


def import_mark_failed(*, batch_id: int, message: str) -> None:
    """A background confirm that failed: nothing was written (its transaction rolled back); say why."""
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, error=message[:2000])
    cache.delete(_progress_key(batch_id))


# --- undo -------------------------------------------------------------------------------------------------

@transaction.atomic
def import_undo(*, actor, batch: ImportBatch, reason: str, now=None) -> tuple[ImportBatch, list[str]]:
    """Undo an import as a correction: its assessments are voided, the measurements it set are put back as they
    were, held measurements are dropped; each plan touched is re-evaluated. Returns (batch, notes) where notes
    name what was left because someone changed it since."""
    now = now or clock.now()
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require_clinician(actor, batch.organisation_id, "undo imports")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: undoing an import is a correction of the clinical record."})
    if batch.status != ImportBatch.Status.DONE:
        raise Conflict(f"This import is {batch.get_status_display().lower()}: there is nothing to undo.")
    why = f"Import of “{batch.file_name}” undone: {reason}"
    notes, touched = [], {}
    for record in batch.records.filter(active=True).select_related("assessment", "session_log", "pending", "athlete"):
        if record.kind == ImportedRecord.Kind.ASSESSMENT and record.assessment is not None:
            session_services.assessment_void(actor=actor, assessment=record.assessment, reason=why, now=now)
            touched[record.athlete_id] = record.athlete
        elif record.kind == ImportedRecord.Kind.PENDING and record.pending is not None and record.pending.is_open:
            record.pending.cancelled_at = now
            record.pending.save(update_fields=["cancelled_at"])
        elif record.session_log is not None and _put_back(actor, record, why, now, notes):
            touched[record.athlete_id] = record.athlete
        record.active = False
        record.save(update_fields=["active"])
    VmaxProposal.objects.filter(batch=batch, status=VmaxProposal.Status.OPEN).update(
        status=VmaxProposal.Status.DISMISSED, decided_by=actor, decided_at=now)
    for athlete in touched.values():
        plan = plan_open_for(athlete)
        if plan is not None:
            plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.CORRECTION, now=now, note=why)
    batch.status, batch.undone_by, batch.undone_at, batch.undo_reason = ImportBatch.Status.UNDONE, actor, now, reason
    batch.save(update_fields=["status", "undone_by", "undone_at", "undo_reason"])
    audit_record(actor=actor, action="import.undo", target=batch, before={"status": "done"},
                 after={"status": "undone", "reason": reason, "left_as_changed": notes})
    return batch, notes


def _put_back(actor, record, why, now, notes) -> bool:
    log = SessionLog.objects.get(pk=record.session_log_id)
    written = record.written
    if log.is_void:
        return False
    same = (str(log.peak_speed_mps) == str(written.get("peak_speed_mps"))
            and (written.get("efforts_95") is None or log.efforts_95 == written.get("efforts_95")))
    if not same:
        notes.append(f"The session of {log.date:%d %b %Y} ({record.athlete.full_name}) was changed after the import: "
                     "left as it is.")
        return False
    before = record.before or {}
    fields = {"peak_speed_mps": _dec(before.get("peak_speed_mps")), "peak_speed_pct": _dec(before.get("peak_speed_pct"))}
    if written.get("efforts_95") is not None:
        fields["efforts_95"] = before.get("efforts_95")
    if fields["peak_speed_mps"] is None and fields["peak_speed_pct"] is None:
        fields["peak_speed_pct"] = None
    session_services.session_measurements_set(actor=actor, log=log, reason=why, now=now, **fields)
    return True


def _dec(value):
    return None if value in (None, "") else Decimal(str(value))


# --- pending measurements -----------------------------------------------------------------------------------

def pending_measurements_apply(*, session_log_id: int, now=None) -> int:
    """A session has been logged: write the speeds imported for its day (by the clinician who imported them)
    and evaluate. Returns how many were applied."""
    log = SessionLog.objects.select_related("athlete__organisation").filter(pk=session_log_id, voided_at=None).first()
    if log is None:
        return 0
    applied = 0
    for pending in PendingMeasurement.objects.filter(athlete_id=log.athlete_id, date=log.date, applied_at=None,
                                                     cancelled_at=None).select_related("batch"):
        actor = pending.batch.confirmed_by
        fields = {"peak_speed_mps": pending.peak_speed_mps}
        if pending.efforts_95 is not None:
            fields["efforts_95"] = pending.efforts_95
        try:
            with transaction.atomic():
                before = {"peak_speed_mps": log.peak_speed_mps, "peak_speed_pct": log.peak_speed_pct,
                          "efforts_95": log.efforts_95}
                if actor is None or any(v is not None for v in before.values()):
                    raise ValidationError("the session already has a peak speed, or the importer has left")
                evidence.session_measurements_enter(actor=actor, session_log=log, now=now, **fields)
                pending.applied_to, pending.applied_at = log, now or clock.now()
                pending.save(update_fields=["applied_to", "applied_at"])
                ImportedRecord.objects.filter(pending=pending, active=True).update(
                    session_log=log, before=before,
                    written={"peak_speed_mps": str(pending.peak_speed_mps), "efforts_95": pending.efforts_95})
                audit_record(actor=actor, action="import.pending_applied", target=log,
                             after={"batch": pending.batch_id, **{k: str(v) for k, v in fields.items()}})
                applied += 1
                log.refresh_from_db()
        except (ValidationError, PermissionDenied) as exc:
            pending.problem = " ".join(getattr(exc, "messages", [str(exc)]))
            pending.cancelled_at = now or clock.now()
            pending.save(update_fields=["problem", "cancelled_at"])
    return applied


# --- Vmax proposals and column mappings ---------------------------------------------------------------------

@transaction.atomic
def vmax_proposal_decide(*, actor, proposal: VmaxProposal, accept: bool, now=None) -> VmaxProposal:
    """Accept (the athlete's Vmax becomes the measured speed, source GPS, the plan re-evaluated) or dismiss."""
    proposal = VmaxProposal.objects.select_for_update().select_related("athlete").get(pk=proposal.pk)
    _require_clinician(actor, proposal.organisation_id, "change an athlete's Vmax")
    if proposal.status != VmaxProposal.Status.OPEN:
        raise Conflict("This proposal has already been decided.")
    if accept:
        fields = {"vmax_mps": proposal.speed_mps, "vmax_source": Athlete.VmaxSource.GPS,
                  "vmax_date": proposal.measured_on}
        plan = plan_open_for(proposal.athlete)
        if plan is not None:
            plan_settings_update(actor=actor, plan=plan, now=now, **fields)
        else:
            athlete_services.athlete_update(actor=actor, athlete=proposal.athlete, **fields)
    proposal.status = VmaxProposal.Status.ACCEPTED if accept else VmaxProposal.Status.DISMISSED
    proposal.decided_by, proposal.decided_at = actor, now or clock.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="import.vmax_" + ("accept" if accept else "dismiss"), target=proposal,
                 after={"athlete": proposal.athlete_id, "speed_mps": str(proposal.speed_mps)})
    return proposal


MAPPING_FIELDS = {
    ColumnMapping.Kind.STRENGTH: ("date", "time", "name", "external_id", "l_force", "r_force", "test", "method"),
    ColumnMapping.Kind.SPEED: ("date", "name", "external_id", "max_speed", "efforts"),
}


@transaction.atomic
def column_mapping_save(*, actor, organisation: Organisation, name: str, kind: str, columns: dict) -> ColumnMapping:
    """Save (or replace) which column holds what, for one device of this organisation."""
    _require_clinician(actor, organisation.pk, "save column mappings")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the device or source (e.g. “Clinic dynamometer”)."})
    if kind not in MAPPING_FIELDS:
        raise ValidationError({"kind": "Choose strength test or GPS summary."})
    columns = {k: (v or "").strip() for k, v in columns.items() if k in MAPPING_FIELDS[kind] and (v or "").strip()}
    needed = ("date", "l_force", "r_force") if kind == ColumnMapping.Kind.STRENGTH else ("date", "max_speed")
    missing = [k for k in needed if k not in columns]
    if missing or not ({"name", "external_id"} & set(columns)):
        raise ValidationError("Name the columns for the date, the athlete (name or id) and "
                              + ("both legs' forces." if kind == ColumnMapping.Kind.STRENGTH else "the maximum speed."))
    if columns.get("method") and columns["method"] not in ("nordic", "iso_90_90", "iso_0_30", "custom"):
        raise ValidationError({"method": "Choose the test method."})
    mapping, created = ColumnMapping.objects.update_or_create(
        organisation=organisation, name=name,
        defaults={"kind": kind, "columns": columns, "created_by": actor, "updated_at": clock.now()})
    audit_record(actor=actor, action="import.mapping_" + ("create" if created else "update"), target=mapping,
                 after={"name": name, "kind": kind, "columns": columns})
    return mapping
