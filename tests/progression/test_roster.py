"""The roster triages (issue 12): red flags first, then pending sign-offs, then overdue next-morning reports; the
last session, the overdue reports and the 7-day reporting rate per athlete; a query count independent of size."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from progression import selectors, services
from progression.models import Decision, Protocol
from sessions.models import SessionLog, SymptomReport
from tests.factories import AthleteFactory, InjuryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)


def _athlete(world, name):
    athlete = AthleteFactory(organisation=world.org, team=world.team, first_name=name, last_name="Triage")
    injury = InjuryFactory(athlete=athlete, date_of_injury=TODAY - datetime.timedelta(days=30))
    plan = services.plan_start(actor=world.clinician, injury=injury, start_date=TODAY - datetime.timedelta(days=20),
                               protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    return athlete, plan


def _session(athlete, plan, days_ago, reported=True):
    log = SessionLog.objects.create(athlete=athlete, plan=plan, phase=plan.current_phase, pain_during=0, rpe=Decimal(5),
                                    minutes=30, date=TODAY - datetime.timedelta(days=days_ago), client_id=uuid.uuid4())
    if reported:
        SymptomReport.objects.create(session_log=log, soreness_24h=0, client_id=uuid.uuid4())
    return log


@pytest.fixture
def clinic(world):
    world.org.time_zone = "UTC"
    world.org.save()
    clock.travel_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC))
    calm, calm_plan = _athlete(world, "Calm")
    for days in (6, 4, 2):
        _session(calm, calm_plan, days)
    late, late_plan = _athlete(world, "Late")
    _session(late, late_plan, 5, reported=False)
    _session(late, late_plan, 3, reported=True)
    _session(late, late_plan, 1, reported=False)
    flagged, flagged_plan = _athlete(world, "Flagged")
    flagged_plan.review_pending = True
    flagged_plan.save()
    waiting, waiting_plan = _athlete(world, "Waiting")
    Decision.objects.create(plan=waiting_plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1,
                            decided_on=TODAY, inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
                            outcome="advance", from_phase=0, to_phase=1, status="awaiting_signoff")
    return {"calm": calm, "late": late, "flagged": flagged, "waiting": waiting}


def test_red_flags_first_then_sign_offs_then_overdue_reports(world, clinic):
    names = [a.first_name for a in selectors.roster(user=world.clinician) if a.last_name == "Triage"]
    assert names == ["Flagged", "Waiting", "Late", "Calm"]


def test_the_row_figures(world, clinic):
    rows = {a.first_name: a for a in selectors.roster(user=world.clinician) if a.last_name == "Triage"}
    for row in rows.values():
        selectors.roster_row_facts(row, today=TODAY, tz=world.org.tz)
    late, calm = rows["Late"], rows["Calm"]
    assert late.last_session_date == TODAY - datetime.timedelta(days=1)
    assert late.overdue_reports == 2 and (late.week_reported, late.week_sessions) == (1, 3)
    assert late.reporting_rate == 33 and late.reporting_low
    assert calm.overdue_reports == 0 and calm.reporting_rate == 100 and not calm.reporting_low
    assert calm.days_in_phase == 0 and rows["Flagged"].last_session_date is None


def test_an_explicit_order_still_wins(world, clinic):
    names = [a.first_name for a in selectors.roster(user=world.clinician, order="name") if a.last_name == "Triage"]
    assert names == sorted(names)


@pytest.mark.parametrize("extra", [0, 30])
def test_the_roster_page_query_count_does_not_grow(world, clinic, client_for, extra, django_assert_max_num_queries):
    for i in range(extra):
        athlete, plan = _athlete(world, f"More{i}")
        _session(athlete, plan, 1, reported=bool(i % 2))
    client = client_for(world.clinician)
    with django_assert_max_num_queries(14):
        response = client.get("/clinic/")
    assert response.status_code == 200
    assert "overdue" in response.content.decode()



def _page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/clinic/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_back_column_shows_each_plans_projection_in_constant_queries(world, clinic, client_for):
    client = client_for(world.clinician)
    page, few = _page_queries(client)
    assert "<th>Back</th>" in page
    # Calm: P0, clean sessions Thu 4, Sat 6, Mon 8 Jun (P0's 2 banked: its advance is due at once); P1-P5 from
    # Wed 10 Jun over their default days: 10 sessions to go
    (pr,) = selectors.projected_returns([clinic["calm"].injuries.get().plans.get()], TODAY).values()
    assert pr.sessions_needed == 10 and pr.earliest.strftime("%a %-d %b") in page
    assert page.count(">likely ") == 4
    for i in range(30):
        athlete, plan = _athlete(world, f"Back{i}")
        _session(athlete, plan, 2, reported=bool(i % 2))
    page, many = _page_queries(client)
    assert page.count(">likely ") == 25  # one page of the roster
    assert many == few, (few, many)
