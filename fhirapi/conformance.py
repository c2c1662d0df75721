"""Conformance resources: the CapabilityStatement, our CodeSystem, OperationOutcome for errors."""
import datetime

from . import codes
from .resources import instant


def code_system(base: str) -> dict:
    return {"resourceType": "CodeSystem", "id": codes.OWN_ID, "url": codes.own_system(base), "version": "1",
            "name": "SprintRehab", "title": "Sprint rehabilitation codes", "status": "active",
            "description": "Codes for what the standard terminologies lack: hamstring rehabilitation observations, "
                           "BAMIC grades, strength test methods, protocol phases and exit criteria. See docs/fhir.md.",
            "caseSensitive": True, "content": "complete", "count": len(codes.OWN_CONCEPTS),
            "concept": [{"code": code, "display": display, "definition": definition}
                        for code, (display, definition) in codes.OWN_CONCEPTS.items()]}


READ_TYPES = ["Patient", "Practitioner", "Condition", "Observation", "QuestionnaireResponse", "Questionnaire",
              "PlanDefinition", "CarePlan", "Goal", "CodeSystem"]
SEARCH_PARAMS = {
    "Observation": [("patient", "reference", "The athlete (Patient id or Patient/id)"),
                    ("subject", "reference", "Same as patient"),
                    ("date", "date", "Effective date, with the prefixes eq, ge, gt, le, lt; repeat for a range"),
                    ("code", "token", "A code, optionally system|code")],
    "Condition": [("patient", "reference", "The athlete")],
    "CarePlan": [("patient", "reference", "The athlete")],
    "Goal": [("patient", "reference", "The athlete")],
    "QuestionnaireResponse": [("patient", "reference", "The athlete")],
    "Patient": [("_id", "token", "Athlete ids, comma-separated")],
    "PlanDefinition": [("url", "uri", "The canonical URL (url|version works too)"),
                       ("version", "token", "The protocol version")],
}


def capability_statement(base: str, *, software_version: str, now: datetime.datetime) -> dict:
    resources = []
    for kind in READ_TYPES:
        entry = {"type": kind, "interaction": [{"code": "read"}]}
        if kind in SEARCH_PARAMS:
            entry["interaction"].append({"code": "search-type"})
            if SEARCH_PARAMS[kind]:
                entry["searchParam"] = [{"name": n, "type": t, "documentation": d} for n, t, d in SEARCH_PARAMS[kind]]
        if kind == "Patient":
            entry["operation"] = [{"name": "everything",
                                   "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement", "id": "sprint-rehab", "status": "active", "date": instant(now),
        "kind": "instance", "fhirVersion": "4.0.1", "format": ["application/fhir+json", "json"],
        "publisher": "Sprint Rehab", "name": "SprintRehabFHIR", "title": "Sprint Rehab FHIR R4 read-only API",
        "software": {"name": "Sprint Rehab", "version": software_version},
        "implementation": {"description": "Return-to-sprint rehabilitation records, read-only", "url": base},
        "rest": [{"mode": "server",
                  "documentation": "Read-only. Authorization: 'Token <key>' (an API token) or a logged-in session. "
                                   "An athlete sees their own record, a coach their teams', a clinician their "
                                   "organisation's; anything else is 404.",
                  "security": {"description": "Token (knox) or session authentication, as /api/v1/."},
                  "resource": resources}],
    }


def operation_outcome(code: str, message: str, severity: str = "error") -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message}]}
