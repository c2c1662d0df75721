"""The /fhir/ permission matrix: every route of the "fhir" namespace, for every role (as the API matrix).

- anonymous: 401 with `WWW-Authenticate: Token` (the CapabilityStatement and our CodeSystem are public);
- a record of `world.athlete` read by id: the athlete, their team's coach (and the dual role, who coaches the team)
  and their organisation's clinicians get it; anyone else 404, as for a missing id;
- a search naming `world.athlete`: 200 for every logged-in role, with the athlete's records for those who see
  them and an empty Bundle for the rest (checked: `sees`).
Every route is read-only: a POST is refused (405) and changes nothing.
"""
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.fhir.conftest import validate

from .conftest import user_for
from .test_api_permission_matrix import ROLES, expect

PUBLIC = dict.fromkeys(ROLES, 200)
LOGGED_IN = expect(athlete=200, other_athlete=200, coach=200, other_coach=200)
CARE_TEAM = expect(athlete=200, other_athlete=404, coach=200, other_coach=404, clinician=200, other_clinician=404)
#: Who sees world.athlete's records in a search (dual: as the team's coach).
SEES = {"athlete": True, "other_athlete": False, "coach": True, "other_coach": False, "clinician": True,
        "other_clinician": False, "dual": True}


@dataclass
class Case:
    expected: dict
    kwargs: object = None   # fn(objects) -> dict
    query: object = None    # fn(objects) -> str (the query string)
    sees: dict | None = None  # search: whether the Bundle holds world.athlete's records


@pytest.fixture
def dual(objects):
    """A clinician of the other organisation who also coaches the athlete's team (as in the API matrix)."""
    from athletes.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(username="dual")
    Membership.objects.create(user=user, organisation=objects.world.other_org, role="clinician")
    Membership.objects.create(user=user, organisation=objects.world.org, role="coach")
    objects.world.team.coaches.add(user)
    return user


def athlete_query(o):
    return f"patient={o.world.athlete.pk}"


CASES = {
    "fhir:metadata": Case(PUBLIC),
    "fhir:codesystem": Case(PUBLIC, kwargs=lambda o: {"pk": "sprint-rehab"}),
    "fhir:questionnaire": Case(LOGGED_IN, kwargs=lambda o: {"pk": "next-morning-report"}),
    "fhir:patient-search": Case(LOGGED_IN, sees=SEES),
    "fhir:patient": Case(CARE_TEAM, kwargs=lambda o: {"pk": o.world.athlete.pk}),
    "fhir:patient-everything": Case(CARE_TEAM, kwargs=lambda o: {"pk": o.world.athlete.pk}),
    # a clinician of an organisation the caller belongs to, in any role
    "fhir:practitioner": Case(expect(athlete=200, other_athlete=200, coach=200, other_coach=200, other_clinician=404,
                                     dual=200), kwargs=lambda o: {"pk": o.world.clinician.pk}),
    "fhir:condition-search": Case(LOGGED_IN, query=athlete_query, sees=SEES),
    "fhir:condition": Case(CARE_TEAM, kwargs=lambda o: {"pk": o.world.injury.pk}),
    "fhir:observation-search": Case(LOGGED_IN, query=lambda o: f"patient={o.world.athlete.pk}&date=ge2000-01-01",
                                    sees=SEES),
    "fhir:observation": Case(CARE_TEAM, kwargs=lambda o: {"pk": f"session-{o.session.pk}-pain"}),
    "fhir:questionnaireresponse-search": Case(LOGGED_IN, query=athlete_query, sees=SEES),
    "fhir:questionnaireresponse": Case(CARE_TEAM, kwargs=lambda o: {"pk": o.report.pk}),
    "fhir:plandefinition-search": Case(LOGGED_IN),
    "fhir:plandefinition": Case(LOGGED_IN, kwargs=lambda o: {"pk": o.protocol.pk}),  # the built-in protocol
    "fhir:careplan-search": Case(LOGGED_IN, query=athlete_query, sees=SEES),
    "fhir:careplan": Case(CARE_TEAM, kwargs=lambda o: {"pk": o.plan.pk}),
    "fhir:goal-search": Case(LOGGED_IN, query=athlete_query, sees=SEES),
    "fhir:goal": Case(CARE_TEAM, kwargs=lambda o: {"pk": f"plan-{o.plan.pk}-exit-min-sessions"}),
}


def fhir_routes(resolver=None, inside=False):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from fhir_routes(entry, inside or entry.namespace == "fhir")
        elif isinstance(entry, URLPattern) and entry.name and inside:
            yield f"fhir:{entry.name}"


def test_every_fhir_route_is_in_the_matrix():
    routes = set(fhir_routes())
    assert routes, "no /fhir/ routes: is fhirapi.urls included?"
    assert not sorted(routes - set(CASES)), f"/fhir/ routes without a row: {sorted(routes - set(CASES))}"
    assert not sorted(set(CASES) - routes), f"rows for routes that do not exist: {sorted(set(CASES) - routes)}"


def _holds_athlete(bundle, athlete_pk) -> bool:
    for e in bundle["entry"]:
        res = e["resource"]
        if res["resourceType"] == "Patient" and res["id"] == str(athlete_pk):
            return True
        if res.get("subject", {}).get("reference") == f"Patient/{athlete_pk}":
            return True
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_fhir_permission_matrix(name, role, objects, api_for, dual):
    from tests.db_snapshot import changed_tables, snapshot

    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    if case.query:
        url += "?" + case.query(objects)
    client = api_for(dual if role == "dual" else user_for(objects.world, role))
    response = client.get(url)
    expected = case.expected[role]
    assert response.status_code == expected, f"GET {url} as {role}: {response.status_code}, expected {expected}"
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    validate(body)
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    if expected >= 400:
        assert body["resourceType"] == "OperationOutcome"
    if case.sees is not None and role != "anon":
        assert _holds_athlete(body, objects.world.athlete.pk) == case.sees[role], (
            f"GET {url} as {role}: the athlete's records {'missing' if case.sees[role] else 'shown'}")
    before = snapshot()
    refused = client.post(url.split("?")[0], {})
    assert refused.status_code == (401 if role == "anon" and expected == 401 else 405), refused.status_code
    assert not changed_tables(before, snapshot())
