"""List endpoints: the number of queries does not grow with the number of rows (3 rows vs 20)."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progression import selectors as plan_selectors
from progression import services as plan_services
from progression.engine_io import definition_from_json
from progression.models import Decision, Protocol
from sessions.models import Assessment, SessionLog, SymptomReport
from tests.factories import AthleteFactory, InjuryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LISTS = ["athletes", "injuries", "assessments", "session-logs", "symptom-reports", "plans", "decisions", "protocols"]


def grow(world, n):
    """At least n rows of every kind in the clinician's organisation (and n sessions for world.athlete)."""
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    while Decision.objects.filter(plan__injury__athlete__organisation=world.org).count() < n:
        athlete = AthleteFactory(organisation=world.org, team=world.team)
        injury = InjuryFactory(athlete=athlete)
        plan = plan_services.plan_start(actor=world.clinician, injury=injury, protocol=protocol)
        log = SessionLog.objects.create(athlete=athlete, plan=plan, phase=0, pain_during=1, rpe=5, minutes=30,
                                        date=TODAY - datetime.timedelta(days=1))
        report = SymptomReport.objects.create(session_log=log, soreness_24h=1)
        Assessment.objects.create(injury=injury, clinician=world.clinician, pain_palpation=1, assessed_on=TODAY)
        Decision.objects.create(plan=plan, trigger="symptom_report", session_log=log, symptom_report=report,
                                protocol_slug=protocol.slug, protocol_version=1, decided_on=TODAY, inputs={}, reasons=[],
                                decided_by_rule="rule.missing_data", outcome="hold", from_phase=0, to_phase=0,
                                status="applied", reviewed_by=world.clinician)
    source = protocol
    while Protocol.objects.filter(organisation=world.org).count() < n:
        source = plan_services.protocol_new_version(
            actor=world.clinician, protocol=source, organisation=world.org, definition=definition_from_json(protocol.definition),
            base_version=plan_selectors.protocol_edit_base(protocol=source, organisation=world.org))
    while SessionLog.objects.filter(athlete=world.athlete).count() < n:
        SessionLog.objects.create(athlete=world.athlete, pain_during=0, rpe=3, minutes=20, date=TODAY)


def count_queries(client, url, minimum_rows):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if "results" in body else body["sessions"]
    assert len(rows) >= minimum_rows
    return len(queries)


@pytest.mark.parametrize("path", LISTS)
def test_list_endpoint_queries_do_not_grow_with_rows(world, api_for, path, django_assert_max_num_queries):
    api = api_for(world.clinician)
    url = f"/api/v1/{path}/?page_size=100"
    grow(world, 3)
    few = count_queries(api, url, 3)
    grow(world, 20)
    with django_assert_max_num_queries(few):
        count_queries(api, url, 20)


def test_me_progress_queries_do_not_grow_with_rows(world, api_for, django_assert_max_num_queries):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    api = api_for(world.athlete_user)
    grow(world, 3)
    few = count_queries(api, "/api/v1/me/progress/", 3)
    grow(world, 20)
    with django_assert_max_num_queries(few):
        count_queries(api, "/api/v1/me/progress/", 20)
