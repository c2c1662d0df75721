"""Every resource type /fhir/ serves validates against the fhir.resources R4B models, and the $everything Bundle
of a demo-like athlete does, entry by entry and as a whole."""
import re
from pathlib import Path

import pytest
from django.urls import reverse

from fhirapi import codes
from fhirapi.bundle import patient_everything

from .conftest import validate

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

#: The R4 value sets with a *required* binding on the elements we fill (fhir.resources checks structure, types,
#: cardinality and choice types, not these codes: so the test does).
REQUIRED = {
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                                "entered-in-error", "unknown"},
    ("QuestionnaireResponse", "status"): {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option"},
    ("Goal", "lifecycleStatus"): {"proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
                                  "entered-in-error", "rejected"},
    ("PlanDefinition", "status"): {"draft", "active", "retired", "unknown"},
    ("CodeSystem", "status"): {"draft", "active", "retired", "unknown"},
    ("CodeSystem", "content"): {"not-present", "example", "fragment", "complete", "supplement"},
    ("Questionnaire", "status"): {"draft", "active", "retired", "unknown"},
    ("CapabilityStatement", "status"): {"draft", "active", "retired", "unknown"},
    ("CapabilityStatement", "kind"): {"instance", "capability", "requirements"},
    ("Bundle", "type"): {"searchset"},
}
ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
                   "unknown", "entered-in-error"}
QUESTIONNAIRE_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
                            "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"}


def check_codes(resource: dict) -> None:
    kind = resource["resourceType"]
    for (rtype, field), allowed in REQUIRED.items():
        if rtype == kind and field in resource:
            assert resource[field] in allowed, (kind, field, resource[field])
    if kind == "CarePlan":
        assert {a["detail"]["status"] for a in resource["activity"]} <= ACTIVITY_STATUS
    if kind == "Questionnaire":
        assert {i["type"] for i in resource["item"]} <= QUESTIONNAIRE_ITEM_TYPES
    if kind == "CapabilityStatement":
        assert resource["fhirVersion"] == "4.0.1"


def served_codings(data):
    """Every Coding in a JSON tree."""
    if isinstance(data, dict):
        if "system" in data and "code" in data and isinstance(data.get("code"), str):
            yield data
        for v in data.values():
            yield from served_codings(v)
    elif isinstance(data, list):
        for v in data:
            yield from served_codings(v)


def fetch(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/fhir+json")
    data = response.json()
    validate(data)
    check_codes(data)
    return data


def test_every_resource_type_validates(world, demo, client_for):
    c = client_for(world.clinician)
    everything = fetch(c, f"/fhir/Patient/{world.athlete.pk}/$everything")
    by_type = {}
    for e in everything["entry"]:
        by_type.setdefault(e["resource"]["resourceType"], []).append(e["resource"])
    # every resource read on its own too, from its fullUrl, and equal to the Bundle's copy
    for e in everything["entry"]:
        res = e["resource"]
        single = fetch(c, e["fullUrl"].replace("http://testserver", ""))
        assert single == res, res["resourceType"]
    assert set(by_type) == {"Patient", "Condition", "CarePlan", "Goal", "PlanDefinition", "Practitioner",
                            "Observation", "QuestionnaireResponse", "Questionnaire"}
    fetch(c, "/fhir/metadata")
    fetch(c, "/fhir/CodeSystem/sprint-rehab")
    ids = {o["id"] for o in by_type["Observation"]}
    measured = max(demo.session_logs.all(), key=lambda s: s.technique or 0).pk
    for suffix in ("pain", "load", "technique", "peak-speed", "strength"):
        assert f"session-{measured}-{suffix}" in ids
    assert any(i.startswith("report-") and i.endswith("-soreness") for i in ids)
    assert any(i.startswith("assessment-") and i.endswith("-strength") for i in ids)


def test_the_observations_say_what_the_issue_asks(world, demo, client_for):
    c = client_for(world.clinician)
    obs = {o["resource"]["id"]: o["resource"] for o in
           fetch(c, f"/fhir/Observation?patient={world.athlete.pk}")["entry"]}
    measured = max(demo.session_logs.all(), key=lambda s: s.technique or 0).pk
    pain = obs[f"session-{measured}-pain"]
    assert pain["code"]["coding"][0] == {"system": "http://loinc.org", "code": "72514-3",
                                         "display": codes.PAIN_NRS["display"]}
    assert pain["valueInteger"] == 1 and pain["basedOn"] == [{"reference": f"CarePlan/{demo.pk}"}]
    load = obs[f"session-{measured}-load"]
    assert load["valueQuantity"]["value"] == 292.5 and load["method"]["coding"][0]["code"] == "borg-cr10"
    assert {c["code"]["coding"][0]["code"] for c in load["component"]} == {"session-rpe", "session-duration"}
    assert obs[f"session-{measured}-technique"]["valueQuantity"]["value"] == 82.5
    speed = obs[f"session-{measured}-peak-speed"]
    assert speed["valueQuantity"] == {"value": 6.75, "unit": "m/s", "system": codes.UCUM, "code": "m/s"}
    strength = next(o for i, o in obs.items() if i.startswith("assessment-"))
    parts = {p["code"]["coding"][0]["code"]: p for p in strength["component"]}
    assert parts["injured-side"]["valueCodeableConcept"]["coding"][0]["code"] == \
        codes.LATERALITY[world.injury.side]["code"]
    assert parts["peak-force-injured"]["valueQuantity"]["value"] == 345.5
    assert parts["peak-force-uninjured"]["valueQuantity"]["value"] == 400
    assert parts["lsi"]["valueQuantity"]["value"] == 86.4
    assert strength["method"]["coding"][0]["code"] == "method-iso_90_90"
    soreness = [o for i, o in obs.items() if i.startswith("report-")]
    assert sorted(o["valueInteger"] for o in soreness) == [0, 0, 2]
    assert all(o["derivedFrom"][0]["reference"].startswith("QuestionnaireResponse/") for o in soreness)


def test_plans_goals_and_protocols(world, demo, client_for):
    c = client_for(world.clinician)
    care_plan = fetch(c, f"/fhir/CarePlan/{demo.pk}")
    assert care_plan["instantiatesCanonical"] == ["http://testserver/fhir/PlanDefinition/hamstring-rts|1"]
    assert [a["detail"]["status"] for a in care_plan["activity"]][:3] == ["completed", "in-progress", "not-started"]
    canonical, version = care_plan["instantiatesCanonical"][0].split("|")
    found = fetch(c, f"/fhir/PlanDefinition?url={canonical}&version={version}")
    assert found["total"] == 1 and found["entry"][0]["resource"]["version"] == "1"
    goals = [fetch(c, f"/fhir/{g['reference']}") for g in care_plan["goal"]]
    assert goals and all(g["description"]["text"].startswith("P1 exit:") for g in goals)
    statuses = {g["id"].split("-exit-")[1]: g["achievementStatus"]["coding"][0]["code"] for g in goals}
    # The demo's last evaluation (P1) checked the criteria: one clean P1 session is not two.
    assert statuses["min-sessions"] == "in-progress"
    lsi = next(g for g in goals if g["id"].endswith("min-lsi"))
    assert "low" in lsi["target"][0]["detailRange"]
    qr = fetch(c, f"/fhir/QuestionnaireResponse?patient={world.athlete.pk}")["entry"][0]["resource"]
    assert qr["basedOn"] == [{"reference": f"CarePlan/{demo.pk}"}]
    assert qr["questionnaire"] == "http://testserver/fhir/Questionnaire/next-morning-report"


def test_observation_search_by_patient_and_date(world, demo, client_for):
    import datetime

    c = client_for(world.coach)
    today = world.org.today()
    everything = fetch(c, f"/fhir/Observation?patient=Patient/{world.athlete.pk}")
    dates = {o["resource"]["effectiveDateTime"][:10] for o in everything["entry"]}
    assert len(dates) >= 2
    only_today = fetch(c, f"/fhir/Observation?subject={world.athlete.pk}&date=ge{today}&date=le{today}")
    assert only_today["total"] and {o["resource"]["effectiveDateTime"][:10] for o in only_today["entry"]} == {
        today.isoformat()}
    before = fetch(c, f"/fhir/Observation?patient={world.athlete.pk}&date=lt{today}")
    assert before["total"] + only_today["total"] == everything["total"]
    month = fetch(c, f"/fhir/Observation?patient={world.athlete.pk}&date={today:%Y-%m}")
    assert month["total"] == sum(1 for o in everything["entry"]
                                 if o["resource"]["effectiveDateTime"][:7] == f"{today:%Y-%m}")
    pain = fetch(c, f"/fhir/Observation?patient={world.athlete.pk}&code=http://loinc.org|72514-3")
    assert pain["total"] and all(o["resource"]["code"]["coding"][0]["code"] == "72514-3" for o in pain["entry"])
    tomorrow = today + datetime.timedelta(days=1)
    assert fetch(c, f"/fhir/Observation?patient={world.athlete.pk}&date=ge{tomorrow}")["total"] == 0


@pytest.mark.parametrize("query, words", [
    ("", "Give the athlete"),
    ("?patient=1&date=yesterday", "not a date search value"),
    ("?patient=1&date=2026-02-30", "not a real date"),
    ("?patient=1&colour=red", "Unknown search parameter 'colour'"),
    ("?patient=1&code=", "is not a code"),
])
def test_bad_searches_are_a_plain_400(world, client_for, query, words):
    response = client_for(world.clinician).get(f"/fhir/Observation{query}")
    assert response.status_code == 400
    outcome = response.json()
    validate(outcome)
    assert words in outcome["issue"][0]["diagnostics"]


def test_a_search_for_someone_elses_patient_is_empty(world, demo, client_for):
    data = fetch(client_for(world.other_clinician), f"/fhir/Observation?patient={world.athlete.pk}")
    assert data["total"] == 0 and data["entry"] == []


def test_patient_everything_as_a_function_follows_access(world, demo):
    from core.exceptions import NotFound

    bundle = patient_everything(world.athlete, world.athlete_user)
    validate(bundle)
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    assert bundle["entry"][0]["fullUrl"].startswith("http://")  # the site's own base (SITE_URL)
    with pytest.raises(NotFound):
        patient_everything(world.athlete, world.other_clinician)
    with pytest.raises(NotFound):
        patient_everything(world.athlete, world.other_athlete_user)


def test_every_own_code_served_is_defined_and_documented(world, demo, client_for):
    c = client_for(world.clinician)
    bundle = fetch(c, f"/fhir/Patient/{world.athlete.pk}/$everything")
    system = "http://testserver/fhir/CodeSystem/sprint-rehab"
    used = {cd["code"] for cd in served_codings(bundle) if cd["system"] == system}
    assert used and used <= set(codes.OWN_CONCEPTS)
    served = {c["code"] for c in fetch(c, "/fhir/CodeSystem/sprint-rehab")["concept"]}
    assert served == set(codes.OWN_CONCEPTS)
    documented = set(re.findall(r"`([a-z0-9_-]+)`", (ROOT / "docs/fhir.md").read_text()))
    expanded = {c for c in codes.OWN_CONCEPTS if not re.fullmatch(r"(bamic-\d[abc]?|phase-\d+)", c)}
    missing = sorted(expanded - documented)
    assert not missing, f"codes of our CodeSystem not in docs/fhir.md: {missing}"
    others = {cd["system"] for cd in served_codings(bundle)} - {system}
    assert others <= {codes.LOINC, codes.SNOMED, codes.UCUM, codes.OBSERVATION_CATEGORY, codes.CONDITION_CLINICAL,
                      codes.CONDITION_VERIFICATION, codes.CONDITION_CATEGORY, codes.GOAL_ACHIEVEMENT,
                      "http://terminology.hl7.org/CodeSystem/plan-definition-type"}, others


def test_token_auth_and_anonymous(world, demo):
    from rest_framework.test import APIClient

    from core.tokens import api_token_create

    key = api_token_create(actor=world.clinician)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/fhir/Patient/{world.athlete.pk}").status_code == 200
    anon = APIClient().get(f"/fhir/Patient/{world.athlete.pk}")
    assert anon.status_code == 401 and anon["WWW-Authenticate"] == "Token"
    validate(anon.json())
    assert APIClient().get(reverse("fhir:metadata")).status_code == 200


def test_a_practitioner_is_a_clinician_of_your_own_organisation(world, client_for):
    """A clinician of another organisation who coaches here is not this organisation's Practitioner."""
    from athletes.models import Membership
    from tests.factories import UserFactory

    both = UserFactory(username="both")
    Membership.objects.create(user=both, organisation=world.other_org, role="clinician")
    Membership.objects.create(user=both, organisation=world.org, role="coach")
    athlete = client_for(world.athlete_user)
    assert athlete.get(f"/fhir/Practitioner/{world.clinician.pk}").status_code == 200
    assert athlete.get(f"/fhir/Practitioner/{both.pk}").status_code == 404
    assert client_for(world.other_clinician).get(f"/fhir/Practitioner/{both.pk}").status_code == 200
    assert athlete.get("/fhir/Practitioner/abc").status_code == 404
    assert athlete.get(f"/fhir/Practitioner/{2**70}").status_code == 404


@pytest.mark.parametrize("path", [
    "/fhir/Patient/0", "/fhir/Patient/-1", "/fhir/Patient/1e3", "/fhir/Patient/%00", f"/fhir/Patient/{2**64}",
    "/fhir/Observation/session-1-nothing", "/fhir/Observation/session-99999999999999999999-pain",
    "/fhir/Observation/bogus", "/fhir/Goal/plan-1-exit-", "/fhir/Goal/plan-999999-exit-min-lsi",
    "/fhir/CodeSystem/other", "/fhir/Questionnaire/other", "/fhir/PlanDefinition/hamstring-rts",
    "/fhir/Condition/%E2%80%AE1", "/fhir/CarePlan/1.0",
])
def test_hostile_ids_are_a_plain_404(world, client_for, path):
    response = client_for(world.clinician).get(path)
    assert response.status_code == 404, (path, response.status_code)
    outcome = response.json()
    validate(outcome)
    assert outcome["issue"][0]["code"] == "not-found"


def test_xml_is_not_acceptable_and_says_so(world, client_for):
    response = client_for(world.clinician).get("/fhir/metadata", HTTP_ACCEPT="application/fhir+xml")
    assert response.status_code == 406
