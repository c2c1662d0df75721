"""The next-morning reminder at 09:00 in the athlete's zone, and the clinician's note in the evening."""
import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Notification, OutboxMessage
from sessions.models import SessionLog, SymptomReport
from sessions.tasks import morning_reminders, queue_morning_reminders

from .conftest import at

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
SESSION_DAY = datetime.date(2025, 1, 13)  # a Monday in winter: New York is UTC-5
NEXT_DAY = SESSION_DAY + datetime.timedelta(days=1)


@pytest.fixture
def session(world, plan):
    world.org.time_zone = "America/New_York"
    world.org.save()
    # Written directly: what is tested here is the reminder, not the evaluation a logged session triggers.
    return SessionLog.objects.create(athlete=world.athlete, plan=plan, date=SESSION_DAY, pain_during=1, rpe=5,
                                     minutes=40, logged_by=world.athlete_user,
                                     logged_at=at(SESSION_DAY, 18, tz=NEW_YORK))


def tick(now, capture):
    with capture(execute=True):
        return queue_morning_reminders(now=now)


def test_the_reminder_leaves_at_nine_in_the_athletes_zone_once(world, session, django_capture_on_commit_callbacks):
    assert tick(at(NEXT_DAY, 8, 59, tz=NEW_YORK), django_capture_on_commit_callbacks)["reminders"] == 0
    assert mail.outbox == []
    # 09:00 in New York is 14:00 UTC; a server on UTC at 09:00 would have been five hours early.
    assert tick(at(NEXT_DAY, 14, 0), django_capture_on_commit_callbacks)["reminders"] == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.athlete_user.email]
    link = f"http://127.0.0.1:8000{reverse('me:report', args=[session.pk])}"
    assert link == f"http://127.0.0.1:8000/me/sessions/{session.pk}/morning/"
    assert link in email.body
    html = email.alternatives[0][0]
    for n in (0, 5, 10):
        assert f'href="{link}?soreness={n}"' in html
    # Every later tick that morning: nothing more.
    for hour in (9, 10, 12):
        tick(at(NEXT_DAY, hour, 15, tz=NEW_YORK), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.filter(handler="sessions.send_morning_reminder").count() == 1


def test_the_one_tap_link_preselects_the_soreness(world, session, client_for):
    page = client_for(world.athlete_user).get(reverse("me:report", args=[session.pk]) + "?soreness=3")
    assert page.status_code == 200
    assert page.context["form"].initial["soreness_24h"] == 3


def test_no_reminder_when_the_report_is_in(world, session, django_capture_on_commit_callbacks):
    SymptomReport.objects.create(session_log=session, soreness_24h=1, reported_by=world.athlete_user)
    assert tick(at(NEXT_DAY, 9, 30, tz=NEW_YORK), django_capture_on_commit_callbacks)["reminders"] == 0
    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def test_a_report_that_arrives_before_the_email_leaves_cancels_it(world, session, django_capture_on_commit_callbacks):
    queue_morning_reminders(now=at(NEXT_DAY, 9, 0, tz=NEW_YORK))  # queued; not yet dispatched (no commit yet)
    SymptomReport.objects.create(session_log=session, soreness_24h=2, reported_by=world.athlete_user)
    from core import outbox

    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) == "done"
    assert mail.outbox == []


def test_only_yesterdays_sessions_and_athletes_with_an_address(world, plan, session,
                                                              django_capture_on_commit_callbacks):
    SessionLog.objects.create(athlete=world.athlete, plan=plan, date=SESSION_DAY - datetime.timedelta(days=1),
                              pain_during=1, rpe=5, minutes=40)
    other = SessionLog.objects.create(athlete=world.other_athlete, date=SESSION_DAY, pain_during=1, rpe=5, minutes=20)
    world.other_athlete_user.email = ""
    world.other_athlete_user.save()
    assert tick(at(NEXT_DAY, 9, 0, tz=NEW_YORK), django_capture_on_commit_callbacks)["reminders"] == 1
    assert [m.to for m in mail.outbox] == [[world.athlete_user.email]]
    assert not OutboxMessage.objects.filter(dedupe_key=f"morning-reminder:{other.pk}").exists()


def test_the_clinician_gets_a_note_in_the_evening_once(world, session, django_capture_on_commit_callbacks):
    assert tick(at(NEXT_DAY, 17, 59, tz=NEW_YORK), django_capture_on_commit_callbacks)["clinician_notes"] == 0
    assert not Notification.objects.filter(kind="missing_report").exists()
    assert tick(at(NEXT_DAY, 18, 0, tz=NEW_YORK), django_capture_on_commit_callbacks)["clinician_notes"] == 1
    note = Notification.objects.get(kind="missing_report")
    assert note.recipient == world.clinician and note.plan_id == session.plan_id
    assert world.athlete.full_name in note.title
    assert note.url == reverse("clinic:athlete", args=[world.athlete.pk])
    tick(at(NEXT_DAY, 21, 0, tz=NEW_YORK), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="missing_report").count() == 1
    # The note is in-app only; the one email is the athlete's reminder.
    assert [m.to for m in mail.outbox] == [[world.athlete_user.email]]


def test_no_note_once_the_report_is_in(world, session, django_capture_on_commit_callbacks):
    tick(at(NEXT_DAY, 9, 0, tz=NEW_YORK), django_capture_on_commit_callbacks)
    SymptomReport.objects.create(session_log=session, soreness_24h=0, reported_by=world.athlete_user)
    assert tick(at(NEXT_DAY, 18, 30, tz=NEW_YORK), django_capture_on_commit_callbacks)["clinician_notes"] == 0
    assert not Notification.objects.filter(kind="missing_report").exists()


def test_each_organisation_on_its_own_clock(world, session, django_capture_on_commit_callbacks):
    from tests.factories import AthleteFactory, UserFactory

    world.other_org.time_zone = "Asia/Kolkata"  # UTC+05:30
    world.other_org.save()
    user = UserFactory(username="far-athlete")
    far = AthleteFactory(organisation=world.other_org, user=user)
    far_log = SessionLog.objects.create(athlete=far, date=SESSION_DAY, pain_during=0, rpe=3, minutes=20)
    # 03:30 UTC: 09:00 in Kolkata, 22:30 the day before in New York.
    assert tick(at(NEXT_DAY, 3, 30), django_capture_on_commit_callbacks)["reminders"] == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert OutboxMessage.objects.get().payload == {"session_log_id": far_log.pk}


def test_the_beat_task_takes_an_iso_time(world, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = morning_reminders.apply(kwargs={"now": at(NEXT_DAY, 15, 0).isoformat()}).get()
    assert result == {"reminders": 1, "clinician_notes": 0}
