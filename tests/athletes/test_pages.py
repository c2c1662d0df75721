"""Clinician and coach list pages: constant query counts, filters, sorting, empty states."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progression import services as plan_services
from progression.models import Protocol
from tests.factories import AthleteFactory, InjuryFactory

pytestmark = pytest.mark.django_db


def add_athletes(world, n):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    for _ in range(n):
        athlete = AthleteFactory(organisation=world.org, team=world.team)
        plan_services.plan_start(actor=world.clinician, injury=InjuryFactory(athlete=athlete), protocol=protocol)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url,who", [("/clinic/", "clinician"), ("/coach/", "coach"),
                                     ("/coach/week.csv", "coach"), ("/coach/week.ics", "coach")])
def test_list_pages_do_not_grow_with_rows(world, client_for, url, who):
    client = client_for(getattr(world, who))
    add_athletes(world, 3)
    few = queries(client, url)
    add_athletes(world, 15)
    many = queries(client, url)
    assert many == few, f"{url}: {few} queries for 3 athletes, {many} for 18"


def test_roster_filters_and_sorts(world, client_for):
    add_athletes(world, 2)
    client = client_for(world.clinician)
    body = client.get(f"/clinic/?team={world.other_team.pk}").content.decode()
    assert "Sam Other" in body and "Alex Runner" not in body
    body = client.get("/clinic/?status=no_plan").content.decode()
    assert "Alex Runner" in body and "Ath" not in body.split("<tbody>")[1].split("</tbody>")[0].replace("Athlete", "")
    assert client.get("/clinic/?order=-phase&page=99").status_code == 200
    assert "No athlete matches these filters" in client.get("/clinic/?status=flagged").content.decode()


def test_empty_roster_says_what_to_do(client_for, db):
    from athletes.models import Role
    from tests.factories import MembershipFactory

    clinician = MembershipFactory(role=Role.CLINICIAN).user
    body = client_for(clinician).get("/clinic/").content.decode()
    assert "No athletes yet" in body and "Add an athlete" in body


def test_roster_shows_the_decision_status_in_words(world, client_for):
    import datetime

    from progression.models import Decision, Plan

    plan = Plan.objects.create(injury=world.injury, protocol=Protocol.objects.get(slug="hamstring-rts", version=1),
                               clinician=world.clinician)
    Decision.objects.create(plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1,
                            decided_on=datetime.date.today(), inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
                            outcome="advance", from_phase=0, to_phase=1, status="awaiting_signoff")
    body = client_for(world.clinician).get("/clinic/").content.decode()
    assert "awaiting sign-off" in body and "awaitingsignoff" not in body
