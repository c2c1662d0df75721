"""Broker down: logging a session still succeeds, nothing is lost, and the alert goes out once, when Redis is back.

Runs against a redis-server of its own (a free port), so stopping it disturbs nobody. The test process plays the
web process (eager mode off, tasks published to that Redis) and then the worker: it takes the task message off
the Redis queue and runs it, exactly as `celery worker` would.
"""
import time
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from core import outbox
from core.models import Notification, OutboxMessage
from rehab.celery import app
from sessions.models import SessionLog

from .conftest import celery_broker, drain_queue

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_broker_down_loses_nothing_and_sends_once(world, plan, redis_server, client_for,
                                                   django_capture_on_commit_callbacks):
    athlete = client_for(world.athlete_user)
    with celery_broker(redis_server.url):
        redis_server.stop()

        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = athlete.post(reverse("me:log"), {
                "client_id": str(uuid.uuid4()), "pain_during": 8, "rpe": 6, "minutes": 35, "red_flag": "on",
            })
        elapsed = time.monotonic() - started

        # The athlete's request succeeded and the record is saved.
        assert response.status_code == 302, response.content[:500]
        log = SessionLog.objects.get()
        assert response["Location"] == reverse("me:stop", args=[log.pk])
        assert log.red_flag and log.pain_during == 8
        assert elapsed < 10, f"a publish to a dead broker must fail fast (took {elapsed:.1f} s)"
        # The in-app alert is a database row: the clinician sees it even while the broker is down.
        note = Notification.objects.get(recipient=world.clinician, kind="red_flag")
        # The email is waiting in the outbox, not lost, not sent.
        message = OutboxMessage.objects.get(handler="core.send_notification_email")
        assert message.payload == {"notification_id": note.pk}
        assert (message.status, message.dispatched_at, message.attempts) == ("pending", None, 0)
        assert mail.outbox == []

        # The periodic re-dispatch while the broker is still down: no error, still pending.
        assert outbox.redispatch_pending(older_than_seconds=0) == 0
        message.refresh_from_db()
        assert message.status == "pending" and message.dispatched_at is None

        # Redis is back on the same port; the next re-dispatch hands the message over.
        redis_server.start()
        assert outbox.redispatch_pending(older_than_seconds=0) == 1
        message.refresh_from_db()
        assert message.status == "pending" and message.dispatched_at is not None
        assert mail.outbox == [], "published, not yet delivered: no worker has run it"

        # The worker's part: take the task off the Redis queue and run it.
        tasks = drain_queue(redis_server.url)
        assert tasks == [("core.deliver_outbox", [message.pk])]
        for name, args in tasks:
            assert app.tasks[name].apply(args=args).get() == "done"
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == [world.clinician.email] and "Red flag" in email.subject
        message.refresh_from_db()
        assert message.status == "done" and message.attempts == 1

        # Nothing is sent twice: a re-dispatch finds nothing pending, a duplicate task message does nothing.
        assert outbox.redispatch_pending(older_than_seconds=0) == 0
        assert drain_queue(redis_server.url, wait=0.2) == []
        assert outbox.dispatch(message.pk) is True
        for name, args in drain_queue(redis_server.url):
            assert app.tasks[name].apply(args=args).get() == "skipped"
        assert outbox.deliver(message.pk) == "skipped"
        assert len(mail.outbox) == 1
        assert Notification.objects.filter(recipient=world.clinician).count() == 1
