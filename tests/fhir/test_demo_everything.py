"""The demo athlete (manage.py load_demo: weeks of sessions replayed through the engine) as one $everything
Bundle, every entry validated against the fhir.resources R4B models."""
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from athletes.models import Athlete
from fhirapi.bundle import patient_everything

from .conftest import validate
from .test_resources import check_codes

pytestmark = pytest.mark.django_db


def test_the_demo_athletes_everything_validates(client_for):
    call_command("load_demo", stdout=StringIO())
    athlete = Athlete.objects.get(user__username="athlete")
    me = athlete.user
    response = client_for(me).get(f"/fhir/Patient/{athlete.pk}/$everything")
    assert response.status_code == 200
    bundle = response.json()
    validate(bundle)
    for e in bundle["entry"]:
        validate(e["resource"])
        check_codes(e["resource"])
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert {"Patient", "Condition", "CarePlan", "Goal", "PlanDefinition", "Practitioner", "Observation",
            "QuestionnaireResponse", "Questionnaire"} <= set(kinds)
    assert kinds["Patient"] == 1 and kinds["Observation"] > 20
    assert bundle["total"] == len(bundle["entry"])
    # The function the export calls gives the same resources.
    direct = patient_everything(athlete, me, base="http://testserver/fhir")
    assert [e["fullUrl"] for e in direct["entry"]] == [e["fullUrl"] for e in bundle["entry"]]
    print(f"demo $everything: {len(bundle['entry'])} entries: {dict(sorted(kinds.items()))}")
