"""Sunday evening in the organisation's zone: each coach receives next week, as on the week page, with CSV and .ics."""
import csv
import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from core.models import OutboxMessage
from progression.exports import week_csv
from progression.tasks import coach_week_rows, queue_weekly_prescriptions, weekly_prescriptions

from .conftest import at, log_session

pytestmark = pytest.mark.django_db

SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")
SUNDAY = datetime.date(2025, 3, 9)  # Sydney on daylight time, UTC+11; next Monday is 2025-W11


@pytest.fixture
def sydney(world, plan):
    world.org.time_zone = "Australia/Sydney"
    world.org.save()
    return plan


def tick(now, capture):
    with capture(execute=True):
        return queue_weekly_prescriptions(now=now)


def test_sunday_evening_in_the_organisations_zone_once(world, sydney, django_capture_on_commit_callbacks):
    assert tick(at(SUNDAY, 17, 59, tz=SYDNEY), django_capture_on_commit_callbacks) == 0
    assert tick(at(SUNDAY - datetime.timedelta(days=1), 18, 0, tz=SYDNEY), django_capture_on_commit_callbacks) == 0
    # 18:00 Sunday in Sydney is 07:00 UTC.
    assert tick(at(SUNDAY, 7, 0), django_capture_on_commit_callbacks) == 2  # both coaches of the organisation
    assert [m.to for m in mail.outbox] == [[world.coach.email]], "the other coach has no athlete in rehab"
    for hour in (19, 21, 23):
        tick(at(SUNDAY, hour, 30, tz=SYDNEY), django_capture_on_commit_callbacks)
    assert tick(at(SUNDAY + datetime.timedelta(days=1), 0, 15, tz=SYDNEY), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert set(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == {
        f"weekly:{world.org.pk}:{world.coach.pk}:2025-W11", f"weekly:{world.org.pk}:{world.other_coach.pk}:2025-W11"}


def test_the_email_has_the_week_pages_content_and_both_files(world, sydney, client_for,
                                                            django_capture_on_commit_callbacks):
    log_session(world)  # no morning report yet: the plan holds, and the week page says why
    tick(at(SUNDAY, 18, 5, tz=SYDNEY), django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    assert "Week 11" in email.subject
    page = client_for(world.coach).get(reverse("coach:week") + "?year=2025&week=11")
    page_rows = [(r.plan, r.rx) for g in page.context["grid"]["groups"] for r in g["rows"]]
    assert [plan.pk for plan, _ in page_rows] == [sydney.pk]
    html = email.alternatives[0][0]
    for plan, rx in page_rows:
        assert plan.injury.athlete.full_name in email.body and escape(plan.injury.athlete.full_name) in html
        assert rx.focus in email.body
        for day in rx.days:
            assert f"{day.date:%A} {day.date.day} {day.date:%b}" in email.body
            for item in day.items:
                assert escape(item.name) in html and item.name in email.body
        assert plan.hold_reasons
        for reason in plan.hold_reasons:
            assert reason in email.body and escape(reason) in html
    assert "/coach/?year=2025&amp;week=11" in html or "/coach/?year=2025&week=11" in html

    attachments = {a[0]: a for a in email.attachments}
    assert set(attachments) == {"week-2025-W11.csv", "week-2025-W11.ics"}
    _, csv_text, csv_type = attachments["week-2025-W11.csv"]
    assert csv_type == "text/csv"
    rows = coach_week_rows(coach=world.coach, organisation=world.org, iso_year=2025, iso_week=11)
    assert csv_text == week_csv(rows)
    assert len(list(csv.reader(io.StringIO(csv_text)))) - 1 == sum(len(d.items) for _, rx in rows for d in rx.days)
    _, ics_text, ics_type = attachments["week-2025-W11.ics"]
    assert ics_type == "text/calendar"
    assert ics_text.startswith("BEGIN:VCALENDAR\r\n") and f"-athlete-{world.athlete.pk}@127.0.0.1" in ics_text
    assert ics_text.count("BEGIN:VEVENT") == len(rows[0][1].days)


def test_only_the_coachs_own_organisation_and_teams(world, sydney, django_capture_on_commit_callbacks):
    from progression import services
    from tests.factories import InjuryFactory

    services.plan_start(actor=world.clinician, injury=InjuryFactory(athlete=world.other_athlete),
                        protocol=sydney.protocol)
    tick(at(SUNDAY, 18, 0, tz=SYDNEY), django_capture_on_commit_callbacks)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.coach.email, world.other_coach.email}
    assert world.other_athlete.full_name not in by_recipient[world.coach.email].body
    assert world.athlete.full_name not in by_recipient[world.other_coach.email].body


def test_the_beat_task(world, sydney, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_prescriptions.apply(kwargs={"now": at(SUNDAY, 8, 0).isoformat()}).get() == 2
    assert len(mail.outbox) == 1
