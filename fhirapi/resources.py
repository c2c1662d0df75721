"""One builder per FHIR resource type: model rows in, FHIR R4 JSON (dicts) out. Nothing here queries the database
beyond the rows' own foreign keys, which the reads select; the caller passes the base URL (`.../fhir`).

Ids: Patient = athlete id, Practitioner = user id, Condition = injury id, CarePlan = plan id, PlanDefinition =
protocol id, QuestionnaireResponse = report id; Observations and Goals have compound ids that say where they come
from ("session-12-pain", "report-5-soreness", "assessment-3-strength", "plan-4-exit-min-lsi").
"""
import datetime
import re
from decimal import Decimal

from . import codes
from .codes import LATERALITY, PAIN_NRS, category, concept, own, quantity

QUESTIONNAIRE_ID = "next-morning-report"


def num(value):
    """A Decimal as a JSON number: 25 not 25.0, 8.55 as written."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def ref(kind: str, pk, display: str | None = None) -> dict:
    out = {"reference": f"{kind}/{pk}"}
    if display:
        out["display"] = display
    return out


def instant(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def fhir_id(text: str) -> str:
    """A valid FHIR id: [A-Za-z0-9-.]{1,64}."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def _meta(updated: datetime.datetime | None) -> dict:
    return {"lastUpdated": instant(updated)} if updated else {}


# --- who ------------------------------------------------------------------------------------------------

def patient(athlete, base: str) -> dict:
    out = {
        "resourceType": "Patient", "id": str(athlete.pk),
        "identifier": [{"system": f"{base}/Patient", "value": str(athlete.pk)}],
        "active": True,
        "name": [{"use": "official", "family": athlete.last_name, "given": [athlete.first_name],
                  "text": athlete.full_name}],
        "managingOrganization": {"display": athlete.organisation.name},
    }
    if athlete.date_of_birth:
        out["birthDate"] = athlete.date_of_birth.isoformat()
    if athlete.updated_at:
        out["meta"] = _meta(athlete.updated_at)
    return out


def practitioner_name(user) -> str:
    return (user.get_full_name() or user.username).strip()


def practitioner(user, base: str) -> dict:
    name = {"text": practitioner_name(user)}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {"resourceType": "Practitioner", "id": str(user.pk),
            "identifier": [{"system": f"{base}/Practitioner", "value": str(user.pk)}],
            "active": bool(user.is_active), "name": [name]}


# --- the injury -----------------------------------------------------------------------------------------

def condition(injury, base: str, *, resolved: bool = False) -> dict:
    grade = f"bamic-{injury.bamic_grade}{injury.bamic_site or ''}"
    out = {
        "resourceType": "Condition", "id": str(injury.pk),
        "clinicalStatus": concept({"system": codes.CONDITION_CLINICAL, "code": "resolved" if resolved else "active",
                                   "display": "Resolved" if resolved else "Active"}),
        "verificationStatus": concept({"system": codes.CONDITION_VERIFICATION, "code": "confirmed",
                                       "display": "Confirmed"}),
        "category": [concept({"system": codes.CONDITION_CATEGORY, "code": "encounter-diagnosis",
                              "display": "Encounter Diagnosis"})],
        "code": concept(own("hamstring-strain", base), f"Hamstring strain, {injury.get_side_display().lower()}, "
                        f"BAMIC {injury.grade_label}"),
        "bodySite": [concept(own(f"muscle-{injury.muscle}", base)),
                     concept(LATERALITY[injury.side], injury.get_side_display())],
        "subject": ref("Patient", injury.athlete_id),
        "onsetDateTime": injury.date_of_injury.isoformat(),
        "recordedDate": injury.recorded_on.isoformat(),
        "stage": [{"summary": concept(own(grade, base)), "type": concept(own("bamic", base))}],
        "evidence": [{"code": [concept(own(f"mechanism-{injury.mechanism}", base))]}],
    }
    if injury.notes:
        out["note"] = [{"text": injury.notes}]
    return out


# --- observations ---------------------------------------------------------------------------------------

def _observation(oid: str, *, athlete_id, code: dict, cat: str, effective: datetime.date, issued=None, plan_id=None,
                 amended: bool = False, performer=None) -> dict:
    out = {"resourceType": "Observation", "id": fhir_id(oid), "status": "amended" if amended else "final",
           "category": category(cat), "code": code, "subject": ref("Patient", athlete_id),
           "effectiveDateTime": effective.isoformat()}
    if plan_id:
        out["basedOn"] = [ref("CarePlan", plan_id)]
    if issued:
        out["issued"] = instant(issued)
    if performer:
        out["performer"] = [performer]
    return out


def session_observations(log, base: str, *, side: str | None = None) -> list[dict]:
    """Pain during the session (LOINC 72514-3), session load (sRPE), and, when recorded, technique, peak speed and
    the strength LSI of a logged session."""
    common = {"athlete_id": log.athlete_id, "effective": log.date, "issued": log.logged_at, "plan_id": log.plan_id,
              "amended": log.corrected_at is not None}
    me = ref("Patient", log.athlete_id)
    pain = _observation(f"session-{log.pk}-pain", code=concept(PAIN_NRS), cat="survey", performer=me, **common)
    pain["valueInteger"] = log.pain_during
    pain["note"] = [{"text": "Worst pain during the session, 0-10."}]
    load = _observation(f"session-{log.pk}-load", code=concept(own("session-load", base)), cat="survey",
                        performer=me, **common)
    load["valueQuantity"] = quantity(num(log.load), "AU", "[arb'U]")
    load["method"] = concept(own("borg-cr10", base))
    load["component"] = [
        {"code": concept(own("session-rpe", base)), "valueQuantity": quantity(num(log.rpe), "{score}", "{score}")},
        {"code": concept(own("session-duration", base)), "valueQuantity": quantity(log.minutes, "min", "min")},
    ]
    out = [pain, load]
    if log.technique is not None:
        tech = _observation(f"session-{log.pk}-technique", code=concept(own("technique-score", base)), cat="exam",
                            **common)
        tech["valueQuantity"] = quantity(num(log.technique), "%", "%")
        out.append(tech)
    if log.peak_speed_mps is not None or log.peak_speed_pct is not None:
        speed = _observation(f"session-{log.pk}-peak-speed", code=concept(own("peak-speed", base)), cat="activity",
                             **common)
        if log.peak_speed_mps is not None:
            speed["valueQuantity"] = quantity(num(log.peak_speed_mps), "m/s", "m/s")
        if log.peak_speed_pct is not None:
            speed["component"] = [{"code": concept(own("peak-speed-pct-vmax", base)),
                                   "valueQuantity": quantity(num(log.peak_speed_pct), "%", "%")}]
            if log.peak_speed_mps is None:
                speed["valueQuantity"] = quantity(num(log.peak_speed_pct), "%", "%")
        out.append(speed)
    if log.strength_lsi is not None:
        out.append(strength_observation(
            f"session-{log.pk}-strength", base=base, side=side, method=log.strength_method,
            injured=None, uninjured=None, lsi=log.strength_lsi, **common))
    return out


def strength_observation(oid, *, base, side, method, injured, uninjured, lsi, **common) -> dict:
    """Strength per side: the injured and uninjured legs' forces and the LSI as components, the side as a SNOMED CT
    laterality, the test as the method."""
    obs = _observation(oid, code=concept(own("hamstring-strength", base)), cat="exam", **common)
    components = []
    if side in LATERALITY:
        components.append({"code": concept(own("injured-side", base)),
                           "valueCodeableConcept": concept(LATERALITY[side])})
    if injured is not None:
        components.append({"code": concept(own("peak-force-injured", base)),
                           "valueQuantity": quantity(num(injured), "N", "N")})
    if uninjured is not None:
        components.append({"code": concept(own("peak-force-uninjured", base)),
                           "valueQuantity": quantity(num(uninjured), "N", "N")})
    if lsi is not None:
        components.append({"code": concept(own("lsi", base)), "valueQuantity": quantity(num(lsi), "%", "%")})
    obs["component"] = components
    if method:
        obs["method"] = concept(own(f"method-{method}", base))
    return obs


def assessment_observations(assessment, base: str) -> list[dict]:
    """A clinician's assessment: the strength test with both legs (when measured)."""
    if assessment.strength_injured_n is None and assessment.strength_lsi is None:
        return []
    injury = assessment.injury
    return [strength_observation(
        f"assessment-{assessment.pk}-strength", base=base, side=injury.side, method=assessment.strength_method,
        injured=assessment.strength_injured_n, uninjured=assessment.strength_uninjured_n, lsi=assessment.strength_lsi,
        athlete_id=injury.athlete_id, effective=assessment.assessed_on, issued=assessment.created_at,
        plan_id=assessment.plan_id, amended=assessment.corrected_at is not None,
        performer=ref("Practitioner", assessment.clinician_id) if assessment.clinician_id else None)]


def report_observations(report, base: str) -> list[dict]:
    log = report.session_log
    obs = _observation(f"report-{report.pk}-soreness", code=concept(own("soreness-24h", base)), cat="survey",
                       athlete_id=log.athlete_id, effective=report.reported_at.date(), issued=report.reported_at,
                       plan_id=log.plan_id, amended=report.corrected_at is not None,
                       performer=ref("Patient", log.athlete_id))
    obs["effectiveDateTime"] = instant(report.reported_at)
    obs["valueInteger"] = report.soreness_24h
    obs["derivedFrom"] = [ref("QuestionnaireResponse", report.pk)]
    return [obs]


def questionnaire(base: str) -> dict:
    return {
        "resourceType": "Questionnaire", "id": QUESTIONNAIRE_ID, "url": f"{base}/Questionnaire/{QUESTIONNAIRE_ID}",
        "version": "1", "name": "NextMorningReport", "title": "Next-morning report", "status": "active",
        "subjectType": ["Patient"],
        "description": "What the athlete reports the morning after a session: soreness, sleep, fatigue.",
        "item": [
            {"linkId": "session-date", "text": "Date of the session", "type": "date", "required": True},
            {"linkId": "soreness", "text": "Soreness of the injured hamstring this morning (0-10)", "type": "integer",
             "required": True, "code": [own("soreness-24h", base)]},
            {"linkId": "sleep", "text": "Sleep quality (1-5)", "type": "integer"},
            {"linkId": "fatigue", "text": "Fatigue (1-5)", "type": "integer"},
            {"linkId": "notes", "text": "Anything else", "type": "string"},
        ],
    }


def questionnaire_response(report, base: str) -> dict:
    log = report.session_log
    items = [{"linkId": "session-date", "answer": [{"valueDate": log.date.isoformat()}]},
             {"linkId": "soreness", "answer": [{"valueInteger": report.soreness_24h}]}]
    if report.sleep_quality is not None:
        items.append({"linkId": "sleep", "answer": [{"valueInteger": report.sleep_quality}]})
    if report.fatigue is not None:
        items.append({"linkId": "fatigue", "answer": [{"valueInteger": report.fatigue}]})
    if report.notes:
        items.append({"linkId": "notes", "answer": [{"valueString": report.notes}]})
    out = {"resourceType": "QuestionnaireResponse", "id": str(report.pk),
           "questionnaire": f"{base}/Questionnaire/{QUESTIONNAIRE_ID}",
           "status": "amended" if report.corrected_at else "completed",
           "subject": ref("Patient", log.athlete_id), "authored": instant(report.reported_at),
           "source": ref("Patient", log.athlete_id), "item": items}
    if log.plan_id:
        out["basedOn"] = [ref("CarePlan", log.plan_id)]
    return out


# --- protocols, plans, goals ----------------------------------------------------------------------------

def plan_definition_url(protocol, base: str) -> str:
    return f"{base}/PlanDefinition/{fhir_id(protocol.slug)}"


def plan_definition(protocol, base: str) -> dict:
    definition = protocol.definition or {}
    actions = []
    for phase in definition.get("phases", []):
        action = {"id": f"phase-{phase['number']}", "title": f"P{phase['number']} {phase.get('name', '')}".strip(),
                  "code": [concept(own(f"phase-{phase['number']}", base))]}
        if phase.get("focus"):
            action["description"] = phase["focus"]
        actions.append(action)
    name = re.sub(r"[^A-Za-z0-9]", "", protocol.name.title())[:200] or "Protocol"
    out = {"resourceType": "PlanDefinition", "id": str(protocol.pk), "url": plan_definition_url(protocol, base),
           "version": str(protocol.version), "name": name if name[0].isalpha() else f"P{name}",
           "title": protocol.name, "status": "active",
           "type": concept({"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                            "code": "clinical-protocol", "display": "Clinical Protocol"}),
           "date": instant(protocol.created_at), "action": actions}
    if protocol.description:
        out["description"] = protocol.description
    if protocol.organisation_id:
        out["publisher"] = protocol.organisation.name
    return out


CAREPLAN_STATUS = {"active": "active", "paused": "on-hold", "completed": "completed"}


def care_plan(plan, base: str, *, goal_ids: list[str]) -> dict:
    protocol = plan.protocol
    phases = [p["number"] for p in (protocol.definition or {}).get("phases", [])]
    activities = []
    for n in phases:
        if plan.status == "completed" or n < plan.current_phase:
            status = "completed"
        elif n == plan.current_phase:
            status = "on-hold" if plan.status == "paused" else "in-progress"
        else:
            status = "not-started"
        activities.append({"detail": {"code": concept(own(f"phase-{n}", base)), "status": status,
                                      "description": f"Phase {n}" + (" (current)" if n == plan.current_phase and
                                                                     plan.status != "completed" else "")}})
    out = {"resourceType": "CarePlan", "id": str(plan.pk),
           "instantiatesCanonical": [f"{plan_definition_url(protocol, base)}|{protocol.version}"],
           "status": CAREPLAN_STATUS[plan.status], "intent": "plan",
           "title": f"{protocol.name}: P{plan.current_phase}" if plan.status != "completed" else protocol.name,
           "description": (f"Current phase: P{plan.current_phase}." if plan.status != "completed"
                           else "Completed (discharged)."),
           "subject": ref("Patient", plan.injury.athlete_id),
           "period": {"start": plan.start_date.isoformat()},
           "created": instant(plan.created_at),
           "author": ref("Practitioner", plan.clinician_id),
           "addresses": [ref("Condition", plan.injury_id)],
           "goal": [ref("Goal", g) for g in goal_ids],
           "activity": activities}
    if plan.completed_on:
        out["period"]["end"] = plan.completed_on.isoformat()
    if plan.review_pending:
        out["note"] = [{"text": "A red flag is waiting for the clinician's review."}]
    return out


ACHIEVEMENT = {"met": ("achieved", "Achieved"), "not_met": ("in-progress", "In Progress"),
               "not_applicable": ("in-progress", "In Progress")}
UNITS = {"lsi": ("%", "%"), "technique": ("%", "%"), "pain": ("{score}", "{score}"),
         "soreness": ("{score}", "{score}"), "apprehension": ("{score}", "{score}"), "load_pct": ("%", "%"),
         "peak_speed": ("%", "%")}


def goal_id(plan, code: str) -> str:
    return fhir_id(f"plan-{plan.pk}-exit-{code}")


def _checked(plan, decision) -> dict:
    """The last decision's reasons for the current phase's exit criteria: {criterion code: reason}."""
    if decision is None or decision.from_phase != plan.current_phase or not isinstance(decision.reasons, list):
        return {}
    return {r["code"][5:]: r for r in decision.reasons
            if isinstance(r, dict) and str(r.get("code", "")).startswith("exit.")}


def _goal_target(code: str, value, title: str, base: str) -> dict:
    own_code = f"exit-{code}" if f"exit-{code}" in codes.OWN_CONCEPTS else "exit-other"
    target = {"measure": concept(own(own_code, base), title)}
    if isinstance(value, bool):
        target["detailBoolean"] = value
    elif isinstance(value, int | float | Decimal):
        unit = next((u for key, u in UNITS.items() if key in code), None)
        bound = {"value": num(value)}
        if unit:
            bound.update({"unit": unit[0], "system": codes.UCUM, "code": unit[1]})
        if code.startswith("max_"):
            target["detailRange"] = {"high": bound}
        elif code.startswith("min_"):
            target["detailRange"] = {"low": bound}
        else:
            target["detailQuantity"] = bound
    elif value is not None:
        target["detailString"] = str(value)
    return target


def _sources_note(info: dict) -> list[dict]:
    sources = info.get("source")
    if not sources:
        return []
    names = sources if isinstance(sources, list) else [str(sources)]
    note = f" ({info['source_note']})" if info.get("source_note") else ""
    return [{"text": "Source: " + ", ".join(names) + note}]


def goals(plan, base: str, *, decision=None) -> list[dict]:
    """The current phase's exit criteria, one Goal each, with their achievementStatus from the last decision that
    checked them (in progress when none has)."""
    if plan.status == "completed":
        return []
    definition = plan.protocol.definition or {}
    phase = next((p for p in definition.get("phases", []) if p["number"] == plan.current_phase), None)
    if phase is None:
        return []
    criteria = definition.get("criteria", {})
    checked = _checked(plan, decision)
    out = []
    for code, spec in (phase.get("exit") or {}).items():
        value = spec.get("value") if isinstance(spec, dict) else spec
        info = criteria.get(code, {})
        title = info.get("title", code.replace("_", " "))
        reason = checked.get(code)
        status_code, status_display = ACHIEVEMENT.get(reason["status"] if reason else "", ("in-progress", "In Progress"))
        goal = {"resourceType": "Goal", "id": goal_id(plan, code), "lifecycleStatus": "active",
                "achievementStatus": concept({"system": codes.GOAL_ACHIEVEMENT, "code": status_code,
                                              "display": status_display}),
                "description": {"text": f"P{plan.current_phase} exit: {title}"},
                "subject": ref("Patient", plan.injury.athlete_id), "target": [_goal_target(code, value, title, base)],
                "addresses": [ref("Condition", plan.injury_id)]}
        if reason:
            goal["statusDate"] = decision.decided_on.isoformat()
            if reason.get("message"):
                goal["statusReason"] = reason["message"]
        if notes := _sources_note(info):
            goal["note"] = notes
        out.append(goal)
    return out
