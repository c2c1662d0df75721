"""An athlete's audit trail in plain words: who did what, when, and each value before and after, with the fields'
labels (not column names) and values formatted (choices by their label, dates as dates, records by their name).

Pure presentation: `describe(events, lookups, tz)` reads nothing; `references(events)` says which records the
events' values name, for `progression.selectors.audit_lookups` to read in one query per model.
"""
import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import capfirst

from athletes.models import Athlete, Injury
from progression.models import Decision, Plan, PlanNote
from progression.selectors.audit import AUDIT_KINDS, KIND_OF_TYPE, MODEL_OF_TYPE, NAMED_MODELS
from sessions.models import Assessment, SessionLog, SymptomReport, TechniqueRating

from .forms import WEEKDAYS

ACTIONS = {
    "athlete.create": "added the athlete",
    "athlete.update": "changed the athlete's details",
    "athlete.move": "moved the athlete to another team",
    "injury.create": "recorded an injury",
    "assessment.create": "entered an assessment",
    "assessment.correct": "corrected an assessment",
    "assessment.void": "voided an assessment",
    "symptom_report.create": "sent a next-morning report",
    "symptom_report.correct": "corrected a next-morning report",
    "symptom_report.void": "voided a next-morning report",
    "session_log.create": "logged a session",
    "session_log.correct": "corrected a session",
    "session_log.void": "voided a session",
    "session_log.measure": "recorded the session's measurements",
    "session_log.correct_measurements": "corrected the session's measurements",
    "session_log.rate_technique": "updated the session's technique score",
    "technique_rating.create": "rated the technique",
    "technique_rating.void": "voided a technique rating",
    "decision.advance": "proposed an advance",
    "decision.hold": "held the phase",
    "decision.regress": "moved the athlete back",
    "decision.sign_off": "signed off an advance",
    "decision.reject": "rejected an advance",
    "decision.override": "overrode a decision",
    "plan.start": "started a plan",
    "plan.pause": "paused the plan",
    "plan.resume": "resumed the plan",
    "plan.settings": "changed the plan settings",
    "plan_note.create": "wrote a note",
    "admin.add": "added the record in the admin",
    "admin.change": "changed the record in the admin",
    "admin.delete": "deleted the record in the admin",
}
#: The protocol engine's own decisions (the actor is whoever entered the evidence that set them off).
ENGINE_ACTIONS = {"decision.advance", "decision.hold", "decision.regress"}
#: Keys that say nothing to a reader (ids, bookkeeping), left out of the before/after.
HIDDEN = {"id", "created_at", "updated_at", "client_id", "version", "organisation_id", "athlete_id", "plan_id",
          "session_log_id", "injury_id", "inputs", "reasons"}
LABELS = {
    "reason": "Reason", "plan": "Plan", "role": "Written as", "body": "Note", "rating": "Technique rating",
    "late": "Decided after the stint closed", "refer": "Referred to the clinician", "coaches": "Coaches",
    "assessments_adopted": "Assessments adopted", "voided_at": "Voided", "note": "Note", "email": "Email",
}
MISSING = object()


@dataclass
class Change:
    label: str
    before: str | None          # None: the value was not recorded before (a new record)
    after: str | None           # None: not recorded after


@dataclass
class Entry:
    at: datetime.datetime
    actor: str
    action: str
    target: str
    kind: str
    changes: list = field(default_factory=list)


def _fields(model) -> dict:
    if model is None:
        return {}
    found = {}
    for f in model._meta.concrete_fields:
        found[f.name] = f
        found[f.attname] = f
    return found


def _pairs(before, after, model, prefix=""):
    """(model, key, before, after, label prefix) for every key of the two snapshots, nested plan snapshots flattened."""
    before = dict(before) if isinstance(before, dict) else {}
    after = dict(after) if isinstance(after, dict) else {}
    if "plan_before" in after or "plan_after" in after:
        before["plan"], after["plan"] = after.pop("plan_before", None), after.pop("plan_after", None)
    keys = [*after, *(k for k in before if k not in after)]
    for key in keys:
        b, a = before.get(key, MISSING), after.get(key, MISSING)
        if isinstance(b, dict) or isinstance(a, dict):
            yield from _pairs(b if isinstance(b, dict) else {}, a if isinstance(a, dict) else {},
                              Plan if key == "plan" else None, prefix=f"{prefix}{LABELS.get(key, capfirst(key))}: ")
        else:
            yield model, key, b, a, prefix


def references(events) -> dict:
    """{model label: {ids}} of the records the events' values name (teams, users, injuries, protocols ...)."""
    wanted = {}
    for event in events:
        for model, key, b, a, _ in _pairs(event.before, event.after, MODEL_OF_TYPE.get(event.target_type)):
            f = _fields(model).get(key)
            label = None
            if f is not None and f.is_relation and f.related_model is not None:
                label = f.related_model._meta.label_lower
            elif key == "plan" and model is not None:
                label = "progression.plan"
            if label in NAMED_MODELS:
                wanted.setdefault(label, set()).update(v for v in (b, a) if isinstance(v, int))
    return wanted


def _phase(value) -> str:
    return "discharge" if value is None else f"P{value}"


def _field_value(f, value, lookups, tz) -> str | None:
    """A value told by its model field (a choice's label, a record's name, a date), or None if the field says
    nothing about it."""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation and f.related_model is not None:
        return lookups.named.get((f.related_model._meta.label_lower, value)) or f"record {value}"
    if isinstance(f, models.FileField):
        return "a file"
    try:
        if isinstance(f, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(str(value))
            return f"{moment.astimezone(tz) if moment.tzinfo else moment:%a %d %b %Y, %H:%M}"
        if isinstance(f, models.DateField):
            return f"{datetime.date.fromisoformat(str(value)):%a %d %b %Y}"
    except ValueError:
        pass
    return None


def _plain(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 400 else text[:399] + "…"


def _value(f, key, value, lookups, tz) -> str | None:
    if value is MISSING:
        return None
    if (key == "phase" or key.endswith("_phase")) and (isinstance(value, int) or (value is None and key == "to_phase")):
        return _phase(value)
    if value is None or value == "" or value == []:
        return "—"
    if key == "training_days" and isinstance(value, list):
        days = dict(WEEKDAYS)
        return ", ".join(days.get(d, str(d)) for d in value)
    if key == "plan" and isinstance(value, int):
        return lookups.named.get(("progression.plan", value)) or f"plan {value}"
    told = _field_value(f, value, lookups, tz) if f is not None and not isinstance(value, bool) else None
    return told if told is not None else _plain(value)


def _label(f, key) -> str:
    if key in LABELS:
        return LABELS[key]
    if f is not None:
        return capfirst(str(f.verbose_name))
    return capfirst(key.replace("_", " "))


def _changes(event, lookups, tz) -> list[Change]:
    rows = []
    for model, key, b, a, prefix in _pairs(event.before, event.after, MODEL_OF_TYPE.get(event.target_type)):
        if key in HIDDEN:
            continue
        if b is not MISSING and a is not MISSING and b == a:
            continue
        if b is MISSING and (a is None or a is False or a == "" or a == []) and not key.endswith("phase"):
            continue  # a new record's empty fields
        f = _fields(model).get(key)
        rows.append(Change(label=prefix + _label(f, key), before=_value(f, key, b, lookups, tz),
                           after=_value(f, key, a, lookups, tz)))
    return rows


def _day(day) -> str:
    return f"{day:%a %d %b %Y}"


TARGETS = {
    Athlete: lambda obj: "the athlete's record",
    Injury: lambda obj: f"injury: {NAMED_MODELS[Injury._meta.label_lower][1](obj)} ({obj.date_of_injury:%d %b %Y})",
    SessionLog: lambda obj: f"the session of {_day(obj.date)}",
    SymptomReport: lambda obj: f"the next-morning report after the session of {_day(obj.session_log.date)}",
    Assessment: lambda obj: f"the assessment of {_day(obj.assessed_on)}",
    TechniqueRating: lambda obj: f"the {obj.get_kind_display().lower()} rating of the session of "
                                 f"{_day(obj.session_log.date)}",
    Plan: lambda obj: f"the plan started {obj.start_date:%d %b %Y}",
    Decision: lambda obj: (f"the decision of {_day(obj.decided_on)} ({obj.get_outcome_display().lower()}, "
                           f"P{obj.from_phase} → {_phase(obj.to_phase)}, rule: {obj.decided_by_rule.replace('_', ' ')})"),
    PlanNote: lambda obj: "a note on the plan",
}


def _target(event, lookups) -> str:
    obj = lookups.targets.get((event.target_type, event.target_id))
    model = MODEL_OF_TYPE.get(event.target_type)
    if obj is None:
        name = model._meta.verbose_name if model else event.target_type
        return f"{name} {event.target_id} (no longer there)"
    return TARGETS.get(model, str)(obj)


def describe(events, lookups, tz) -> list[Entry]:
    """The events in plain words (reads nothing: `lookups` holds what they name)."""
    labels = {key: label for key, label, _ in AUDIT_KINDS}
    entries = []
    for event in events:
        if event.actor is None:
            actor = "The system"
        else:
            role = lookups.roles.get(event.actor_id)
            name = event.actor.get_full_name() or event.actor.get_username()
            actor = f"{name} ({role})" if role else name
        if event.action in ENGINE_ACTIONS:  # the protocol decided; the actor's entry set it off
            actor = f"The protocol, on {actor}'s entry," if event.actor is not None else "The protocol"
        action = ACTIONS.get(event.action) or event.action.replace(".", ": ").replace("_", " ")
        entries.append(Entry(at=event.at.astimezone(tz), actor=actor, action=action, target=_target(event, lookups),
                             kind=labels.get(KIND_OF_TYPE.get(event.target_type), ""),
                             changes=_changes(event, lookups, tz)))
    return entries
