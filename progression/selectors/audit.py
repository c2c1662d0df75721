"""The audit trail of one athlete, for the clinicians of the athlete's organisation (issue 12 point 6).

Audit events name their target by type and id (core.models.AuditEvent); an athlete's trail is every event whose
target is the athlete or one of their records: injuries, sessions, next-morning reports, assessments, technique
ratings, plans, decisions and notes. One query whatever the number of events (subqueries of the athlete's ids);
`audit_lookups` then reads the page's targets and the records their values name in one query per kind of record,
so a page costs the same for 5 events or 500.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from athletes.models import Athlete, Injury, Membership, Team
from core.models import AuditEvent
from sessions.models import Assessment, SessionLog, SymptomReport, TechniqueRating

from ..models import Decision, Plan, PlanNote, Protocol

#: The kinds a clinician filters the trail by: (key, label, the target models).
AUDIT_KINDS = [
    ("athlete", "Athlete and injuries", (Athlete, Injury)),
    ("sessions", "Sessions", (SessionLog,)),
    ("reports", "Next-morning reports", (SymptomReport,)),
    ("assessments", "Assessments", (Assessment,)),
    ("ratings", "Technique ratings", (TechniqueRating,)),
    ("decisions", "Decisions", (Decision,)),
    ("plan", "Plans and plan settings", (Plan,)),
    ("notes", "Notes", (PlanNote,)),
]
KIND_OF_TYPE = {model._meta.label_lower: key for key, _, models in AUDIT_KINDS for model in models}
MODEL_OF_TYPE = {model._meta.label_lower: model for _, _, models in AUDIT_KINDS for model in models}


def _ids(qs) -> QuerySet:
    """The ids of `qs` as text (AuditEvent.target_id is text), for a subquery."""
    return qs.annotate(target=Cast("pk", CharField())).values("target")


def _targets_of(athlete_id) -> dict:
    """Per target type, a subquery of the ids of the athlete's records of that type."""
    def label(model):
        return model._meta.label_lower  # e.g. "training.sessionlog": the app label, not the package name

    return {
        label(Athlete): [str(athlete_id)],
        label(Injury): _ids(Injury.objects.filter(athlete_id=athlete_id)),
        label(SessionLog): _ids(SessionLog.objects.filter(athlete_id=athlete_id)),
        label(SymptomReport): _ids(SymptomReport.objects.filter(session_log__athlete_id=athlete_id)),
        label(Assessment): _ids(Assessment.objects.filter(injury__athlete_id=athlete_id)),
        label(TechniqueRating): _ids(TechniqueRating.objects.filter(session_log__athlete_id=athlete_id)),
        label(Plan): _ids(Plan.objects.filter(injury__athlete_id=athlete_id)),
        label(Decision): _ids(Decision.objects.filter(plan__injury__athlete_id=athlete_id)),
        label(PlanNote): _ids(PlanNote.objects.filter(plan__injury__athlete_id=athlete_id)),
    }


def audit_trail(*, athlete: Athlete, kind: str = "") -> QuerySet[AuditEvent]:
    """The athlete's audit events, newest first, optionally of one kind (a key of AUDIT_KINDS; unknown: all).

    The caller has checked that the user is a clinician of the athlete's organisation
    (athletes.selectors.managed_athlete_get): the trail is theirs only.
    """
    targets = _targets_of(athlete.pk)
    wanted = {t for t, k in KIND_OF_TYPE.items() if k == kind} or set(targets)
    q = Q(pk__in=[])
    for target_type in sorted(wanted):
        q |= Q(target_type=target_type, target_id__in=targets[target_type])
    return (AuditEvent.objects.filter(q, organisation_id=athlete.organisation_id)
            .select_related("actor").order_by("-at", "-id"))


@dataclass
class AuditLookups:
    """The page's targets, and the records their before/after values name, by (model label, id)."""
    targets: dict = field(default_factory=dict)      # (target_type, target_id text) -> instance
    named: dict = field(default_factory=dict)        # (model label_lower, id) -> text
    roles: dict = field(default_factory=dict)        # user id -> role in the organisation


#: Foreign keys whose ids appear in audit snapshots, and how a page names them.
def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


NAMED_MODELS = {
    get_user_model()._meta.label_lower: (get_user_model(), _user_name),
    Team._meta.label_lower: (Team, lambda team: team.name),
    Injury._meta.label_lower: (Injury, lambda injury: f"{injury.get_side_display().lower()} "
                                                      f"{injury.get_muscle_display()}, grade {injury.grade_label}"),
    Protocol._meta.label_lower: (Protocol, lambda protocol: f"{protocol.name} (version {protocol.version})"),
    SessionLog._meta.label_lower: (SessionLog, lambda log: f"the session of {log.date:%a %d %b %Y}"),
    Athlete._meta.label_lower: (Athlete, lambda athlete: athlete.full_name),
    Plan._meta.label_lower: (Plan, lambda plan: f"the plan started {plan.start_date:%d %b %Y}"),
}
_TARGET_RELATED = {
    SymptomReport._meta.label_lower: ["session_log"],
    TechniqueRating._meta.label_lower: ["session_log"],
    PlanNote._meta.label_lower: ["author"],
}


def audit_lookups(events, *, references) -> AuditLookups:
    """Read what a page of events needs to be told in plain words: its targets (one query per target type) and the
    records named by the ids in `references` ({model label_lower: {ids}}, one query per model)."""
    lookups = AuditLookups()
    by_type = defaultdict(set)
    for event in events:
        by_type[event.target_type].add(event.target_id)
    for target_type, ids in by_type.items():
        model = MODEL_OF_TYPE.get(target_type)
        if model is None:
            continue
        pks = [int(i) for i in ids if i.isdecimal()]
        for obj in model.objects.filter(pk__in=pks).select_related(*_TARGET_RELATED.get(target_type, [])):
            lookups.targets[(target_type, str(obj.pk))] = obj
    for label, ids in references.items():
        model, name = NAMED_MODELS[label]
        pks = [i for i in ids if isinstance(i, int)]
        if pks:
            for obj in model.objects.filter(pk__in=pks):
                lookups.named[(label, obj.pk)] = name(obj)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    organisation_ids = {e.organisation_id for e in events if e.organisation_id}
    if actor_ids:
        for user_id, role in Membership.objects.filter(user_id__in=actor_ids, organisation_id__in=organisation_ids) \
                .values_list("user_id", "role"):
            lookups.roles[user_id] = role
    return lookups
