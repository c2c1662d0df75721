"""The projection on the pages: the clinician's athlete page (with the reasoning), the athlete's progress page."""
import datetime
import uuid
from decimal import Decimal

import pytest

from core import clock
from progression import selectors, services
from progression.models import Plan, Protocol
from sessions.models import SessionLog, SymptomReport

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)  # a Wednesday


@pytest.fixture
def plan(world):
    world.org.time_zone = "UTC"
    world.org.save()
    clock.travel_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC))
    world.injury.date_of_injury = TODAY - datetime.timedelta(days=30)
    world.injury.save()
    plan = services.plan_start(actor=world.clinician, injury=world.injury, start_phase=3,
                               start_date=TODAY - datetime.timedelta(days=10),
                               protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    log = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=3, pain_during=0, rpe=Decimal(5),
                                    minutes=30, date=TODAY - datetime.timedelta(days=2), client_id=uuid.uuid4())
    SymptomReport.objects.create(session_log=log, soreness_24h=1, client_id=uuid.uuid4())
    return plan


def test_the_clinicians_athlete_page_shows_the_projection_and_its_reasoning(world, plan, client_for):
    # P3 (1 banked, Mon 8 Jun): Fri 12 -> Sat 13; P4 Mon 15, Thu 18 -> Fri 19; P5 Fri 19, Tue 23 -> Wed 24 Jun.
    pr = selectors.projected_returns([plan], TODAY)[plan.pk]
    assert pr.earliest == datetime.date(2026, 6, 24) and pr.sessions_needed == 5
    page = client_for(world.clinician).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert "Projected return to sport" in page
    assert "Earliest Wed 24 Jun, likely 24" in page and ": 5 more clean sessions" in page
    assert "How this is worked out" in page and "The calendar is walked from Wed 10 Jun" in page


def test_the_coach_of_the_team_sees_it_too(world, plan, client_for):
    page = client_for(world.coach).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert "Earliest Wed 24 Jun" in page


def test_the_athletes_progress_page_shows_it(world, plan, client_for):
    page = client_for(world.athlete_user).get("/me/progress/").content.decode()
    assert "Projected return to sport" in page and "Earliest Wed 24 Jun, likely 24" in page


def test_a_paused_plan_says_why_there_is_none(world, plan, client_for):
    Plan.objects.filter(pk=plan.pk).update(status="paused")
    page = client_for(world.clinician).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert "No projection while the plan is paused." in page and "Earliest" not in page


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who,url", [("clinician", "/clinic/athletes/{pk}/"), ("athlete_user", "/me/progress/")])
def test_the_pages_query_count_does_not_grow_with_sessions(world, plan, client_for, who, url):
    client = client_for(getattr(world, who))
    url = url.format(pk=world.athlete.pk)
    few = _queries(client, url)
    for i in range(12):
        log = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=3, pain_during=i % 4,
                                        rpe=Decimal(5), minutes=30, date=TODAY - datetime.timedelta(days=3 + i),
                                        client_id=uuid.uuid4())
        if i % 3:
            SymptomReport.objects.create(session_log=log, soreness_24h=i % 3, client_id=uuid.uuid4())
    assert _queries(client, url) == few
