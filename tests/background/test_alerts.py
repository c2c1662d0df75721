"""Red-flag and regression alerts reach the plan's clinician at once: an email and the in-app list."""
import pytest
from django.core import mail
from django.urls import reverse

from core import outbox
from core.models import Notification, OutboxMessage
from sessions.models import SessionLog

from .conftest import log_session

pytestmark = pytest.mark.django_db


def test_a_red_flag_emails_the_clinician_once_and_lists_it_in_the_app(world, plan, client_for,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log = log_session(world, pain_during=8, red_flag=True)
    note = Notification.objects.get(recipient=world.clinician)
    assert note.kind == "red_flag" and world.athlete.full_name in note.title
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.clinician.email]
    assert "Red flag" in email.subject and world.athlete.full_name in email.subject
    assert f"/clinic/athletes/{world.athlete.pk}/#decision-" in email.body
    html = email.alternatives[0][0]
    assert "Open in" in html and note.title in html

    # Sending twice emails once.
    message = OutboxMessage.objects.get(handler="core.send_notification_email")
    assert message.status == "done"
    assert outbox.deliver(message.pk) == "skipped"
    assert outbox.redispatch_pending(older_than_seconds=0) == 0
    assert len(mail.outbox) == 1

    page = client_for(world.clinician).get(reverse("notifications"))
    assert page.status_code == 200
    assert note.title in page.content.decode()
    assert page.context["unread_notifications"] == 1
    assert SessionLog.objects.filter(pk=log.pk, red_flag=True).exists()

    # The athlete and the other organisation's clinician see none of it.
    assert not Notification.objects.filter(recipient__in=[world.athlete_user, world.other_clinician]).exists()
    client_for(world.clinician).post(reverse("notifications_mark_read"))
    assert client_for(world.clinician).get(reverse("notifications")).context["unread_notifications"] == 0


def test_a_regression_emails_the_clinician(world, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world, pain_during=5)
    note = Notification.objects.get(recipient=world.clinician)
    assert note.kind == "regress"
    assert [m.to for m in mail.outbox] == [[world.clinician.email]]


def test_a_clinician_without_an_email_address_still_sees_the_alert(world, plan, django_capture_on_commit_callbacks):
    world.clinician.email = ""
    world.clinician.save()
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world, pain_during=8, red_flag=True)
    assert Notification.objects.filter(recipient=world.clinician, kind="red_flag").exists()
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == "done"
