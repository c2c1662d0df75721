"""The audit trail on the page (issue 12 point 6): per athlete, in plain words, filterable, paginated, read-only,
for the clinicians of the athlete's organisation; its queries do not grow with the number of events."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from athletes import services as athlete_services
from core import clock
from core.models import AuditEvent
from progression.evidence import session_log_correct, session_log_enter, symptom_report_enter
from progression.models import Protocol
from progression.services import plan_note_create, plan_settings_update, plan_start
from tests.db_snapshot import changed_tables, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    """A short real history of world.athlete, every step through its service (so every step is audited)."""
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    today = clock.local_today(world.org.tz)
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                               date=today - datetime.timedelta(days=2), pain_during=1, rpe=Decimal(4), minutes=30)
    symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(), soreness_24h=1)
    session_log_correct(actor=world.clinician, log=log, reason="typed 1 for 2", pain_during=2)
    plan_settings_update(actor=world.clinician, plan=plan, training_days=[1, 3, 5])
    plan_note_create(actor=world.coach, plan=plan, body="Looked stiff in the warm-up.")
    athlete_services.athlete_move(actor=world.clinician, athlete=world.athlete, team=world.other_team)
    return plan


def _page(client, athlete, query=""):
    response = client.get(f"/clinic/athletes/{athlete.pk}/audit/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_trail_says_who_did_what_in_plain_words(world, history, client_for):
    html = _page(client_for(world.clinician), world.athlete)
    assert "Audit trail: Alex Runner" in html
    assert "logged a session" in html and "sent a next-morning report" in html
    assert "corrected a session" in html and "typed 1 for 2" in html
    # field labels, not column names; values formatted
    assert "<th scope=\"row\">Worst pain during (0-10)</th><td>1</td><td>2</td>" in html.replace("\n", "")
    assert "pain_during" not in html and "team_id" not in html and "training_days" not in html
    assert "moved the athlete to another team" in html
    assert "<td>Firsts</td><td>Academy</td>" in html.replace("\n", "")
    assert "Mon, Wed, Fri" in html
    assert "started a plan" in html and "wrote a note" in html and "Looked stiff in the warm-up." in html
    assert "(clinician)" in html and "(athlete)" in html and "(coach)" in html


def test_the_trail_is_filtered_by_kind(world, history, client_for):
    client = client_for(world.clinician)
    sessions = _page(client, world.athlete, "?kind=sessions")
    assert "logged a session" in sessions and "sent a next-morning report" not in sessions
    assert "wrote a note" not in sessions
    reports = _page(client, world.athlete, "?kind=reports")
    assert "sent a next-morning report" in reports and "logged a session" not in reports
    notes = _page(client, world.athlete, "?kind=notes")
    assert "wrote a note" in notes and "logged a session" not in notes
    plan = _page(client, world.athlete, "?kind=plan")
    assert "changed the plan settings" in plan and "Mon, Wed, Fri" in plan
    # an unknown kind shows everything, never an error
    assert "wrote a note" in _page(client, world.athlete, "?kind=%27;drop")


def test_the_trail_holds_only_this_athletes_events(world, history, client_for):
    athlete_services.athlete_update(actor=world.clinician, athlete=world.other_athlete, sport="Hockey")
    html = _page(client_for(world.clinician), world.athlete)
    assert "Hockey" not in html
    other = _page(client_for(world.clinician), world.other_athlete)
    assert "Hockey" in other and "logged a session" not in other


def test_the_trail_is_paginated(world, client_for):
    for n in range(55):
        athlete_services.athlete_update(actor=world.clinician, athlete=world.athlete, sport=f"Sport {n}")
    client = client_for(world.clinician)
    first = _page(client, world.athlete)
    assert "Sport 54" in first and "page 1 of 2" in first and "Sport 3<" not in first
    second = _page(client, world.athlete, "?page=2")
    assert "Sport 3<" in second and "Sport 54" not in second
    assert "page 2 of 2" in _page(client, world.athlete, "?page=abc&page=999")


def _more_of_everything(world, plan, times, start=10):
    """Sessions with reports, corrections, notes and moves: each round about seven more events of every kind."""
    today = clock.local_today(world.org.tz)
    for n in range(times):
        log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                                   date=today - datetime.timedelta(days=start + n), pain_during=1, rpe=Decimal(4),
                                   minutes=30)
        symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(), soreness_24h=1)
        session_log_correct(actor=world.clinician, log=log, reason="typo", minutes=31)
        plan_note_create(actor=world.clinician, plan=plan, body=f"note {n}")
        athlete_services.athlete_move(actor=world.clinician, athlete=world.athlete,
                                      team=world.team if n % 2 else world.other_team)


def test_the_queries_do_not_grow_with_the_number_of_events(world, history, client_for):
    """One query for the count, one for the page, then one per kind of record on the page (a fixed list, not per
    event): the same page of 10 or of 40 events costs the same, and a trail of 140 events costs no more."""
    client = client_for(world.clinician)

    def count(query=""):
        with CaptureQueriesContext(connection) as ctx:
            _page(client, world.athlete, query)
        return len(ctx)

    few = count()
    assert AuditEvent.objects.count() == 10
    _more_of_everything(world, history, 4)
    assert 35 <= AuditEvent.objects.count() <= 50  # still one page, the same kinds on it
    assert count() == few
    _more_of_everything(world, history, 15, start=14)
    assert AuditEvent.objects.count() >= 120
    assert count() <= few and count("?page=3") <= few


def test_the_trail_is_read_only_there_is_no_write(world, history, client_for):
    client = client_for(world.clinician)
    before = snapshot()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/clinic/athletes/{world.athlete.pk}/audit/")
        assert response.status_code == 405
    assert not changed_tables(before, snapshot())
    html = _page(client, world.athlete)
    assert "<form method=\"post\"" not in html.split("<main", 1)[1]


def test_the_athlete_page_links_to_the_trail_for_clinicians_only(world, client_for):
    link = f'href="/clinic/athletes/{world.athlete.pk}/audit/"'
    assert link in client_for(world.clinician).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert link not in client_for(world.coach).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()


def test_coaches_athletes_and_other_clinicians_are_refused(world, history, client_for):
    url = f"/clinic/athletes/{world.athlete.pk}/audit/"
    assert client_for(world.coach).get(url).status_code == 403
    assert client_for(world.athlete_user).get(url).status_code == 403
    assert client_for(world.other_clinician).get(url).status_code == 404
