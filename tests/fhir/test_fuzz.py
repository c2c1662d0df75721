"""Hostile query strings on the FHIR searches and hostile bodies on the calendar-link form: a plain 4xx or a
result, never a 500 (the values and the settings of tests/test_fuzz_forms.py)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_fuzz_forms import COVERAGE_VALUES, FUZZ, _send, scalar

pytestmark = pytest.mark.django_db

SEARCHES = ["/fhir/Observation", "/fhir/Condition", "/fhir/CarePlan", "/fhir/Goal", "/fhir/QuestionnaireResponse",
            "/fhir/Patient", "/fhir/PlanDefinition"]
PARAMS = ("patient", "subject", "date", "code", "_id", "url", "version", "_count")


@pytest.mark.parametrize("path", SEARCHES)
def test_fuzz_fhir_searches(world, demo, client_for, path):
    client = client_for(world.coach)
    for param in PARAMS:
        for value in [*COVERAGE_VALUES, "ge", "le2026-13-01", "eq2026-02-29", "Patient/", "|", "a|"]:
            _send(client, "get", path, {param: value})

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={p: scalar for p in PARAMS}))
    def run(params):
        _send(client, "get", path, params)

    run()


def test_fuzz_calendar_link_form(world, client_for):
    client = client_for(world.coach)
    for field in ("scope", "team", "athlete", "next"):
        for value in COVERAGE_VALUES:
            _send(client, "post", "/calendar/feeds/new/", {"scope": "team", "team": world.team.pk, field: value})

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={f: scalar for f in ("scope", "team", "athlete", "next")}))
    def run(data):
        _send(client, "post", "/calendar/feeds/new/", data)

    run()
