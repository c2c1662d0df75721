"""Bundles: `Patient/{id}/$everything` as a plain function (the athlete export calls it too) and search results.

    patient_everything(athlete, actor) -> dict    # a FHIR R4 Bundle (type searchset), JSON-ready

Everything goes through `fhirapi.reads`, so an actor who cannot see the athlete gets NotFound, and what the Bundle
holds is what that actor may read: the Patient, their Conditions, CarePlans with the current phase's Goals, the
PlanDefinitions those plans instantiate, the Practitioners who own them, every Observation, the next-morning
QuestionnaireResponses and the Questionnaire they answer.
"""
import datetime

from core import clock

from . import reads
from . import resources as r
from .codes import fhir_base


def entry(resource: dict, base: str, mode: str = "match") -> dict:
    return {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource,
            "search": {"mode": mode}}


def bundle(resources: list[dict], base: str, *, self_url: str, modes: dict | None = None,
           now: datetime.datetime | None = None) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "timestamp": r.instant(now or clock.now()),
            "total": sum(1 for res in resources if (modes or {}).get(id(res), "match") == "match"),
            "link": [{"relation": "self", "url": self_url}],
            "entry": [entry(res, base, (modes or {}).get(id(res), "match")) for res in resources]}


def observations(actor, athlete, base) -> list[dict]:
    """Every Observation of the athlete the actor may read, in date order (sessions, reports, assessments)."""
    out = []
    for log in reads.session_logs(actor, athlete_id=athlete.pk):
        side = log.plan.injury.side if log.plan_id else None
        out.extend(r.session_observations(log, base, side=side))
    for report in reads.reports(actor, athlete_id=athlete.pk):
        out.extend(r.report_observations(report, base))
    for assessment in reads.assessments(actor, athlete_id=athlete.pk):
        out.extend(r.assessment_observations(assessment, base))
    out.sort(key=lambda o: (o["effectiveDateTime"][:10], o["id"]))
    return out


def plan_resources(actor, plan_row, base) -> tuple[dict, list[dict]]:
    """(CarePlan, its Goals) for one plan."""
    goals = r.goals(plan_row, base, decision=reads.latest_decision(plan_row))
    return r.care_plan(plan_row, base, goal_ids=[g["id"] for g in goals]), goals


def patient_everything(athlete, actor, *, base: str | None = None, now: datetime.datetime | None = None) -> dict:
    """The athlete's record as one FHIR Bundle (NotFound when the actor cannot see the athlete)."""
    base = (base or fhir_base()).rstrip("/")
    athlete = reads.athlete(actor, athlete.pk)
    plans = list(reads.plans(actor, athlete_id=athlete.pk))
    resources = [r.patient(athlete, base)]
    open_injuries = {p.injury_id for p in plans if p.status != "completed"}
    done_injuries = {p.injury_id for p in plans if p.status == "completed"}
    for injury in reads.injuries(actor, athlete_id=athlete.pk).order_by("date_of_injury", "pk"):
        resources.append(r.condition(injury, base, resolved=injury.pk in done_injuries - open_injuries))
    protocols, clinicians = {}, {}
    for plan_row in plans:
        care_plan, goals = plan_resources(actor, plan_row, base)
        resources.append(care_plan)
        resources.extend(goals)
        protocols.setdefault(plan_row.protocol_id, plan_row.protocol)
        clinicians.setdefault(plan_row.clinician_id, plan_row.clinician)
    resources.extend(r.plan_definition(p, base) for p in protocols.values())
    resources.extend(r.practitioner(u, base) for u in clinicians.values())
    resources.extend(observations(actor, athlete, base))
    reports = list(reads.reports(actor, athlete_id=athlete.pk))
    resources.extend(r.questionnaire_response(report, base) for report in reports)
    if reports:
        resources.append(r.questionnaire(base))
    return bundle(resources, base, self_url=f"{base}/Patient/{athlete.pk}/$everything", now=now)
