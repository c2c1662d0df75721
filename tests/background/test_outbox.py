"""The outbox: written with the change, dispatched on commit, delivered once, re-dispatched while pending."""
import datetime
import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage

from .conftest import ROOT

pytestmark = pytest.mark.django_db

CALLS = []


@outbox.handler("tests.record")
def _record(payload):
    CALLS.append(payload["n"])


@outbox.handler("tests.boom")
def _boom(payload):
    raise RuntimeError("smtp down")


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()
    yield
    CALLS.clear()


def test_enqueue_dispatches_after_commit_and_runs_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = outbox.enqueue("tests.record", {"n": 1}, dedupe_key="k1")
        assert CALLS == [], "nothing leaves before the transaction commits"
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == "done" and message.attempts == 1 and message.dispatched_at and message.done_at
    assert CALLS == [1]
    assert outbox.deliver(message.pk) == "skipped"
    assert outbox.redispatch_pending(older_than_seconds=0) == 0
    assert CALLS == [1]


def test_same_dedupe_key_is_one_row_and_one_delivery(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = outbox.enqueue("tests.record", {"n": 1}, dedupe_key="same")
        second = outbox.enqueue("tests.record", {"n": 2}, dedupe_key="same")
    assert first.pk == second.pk and len(callbacks) == 1
    assert OutboxMessage.objects.count() == 1 and CALLS == [1]


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox.enqueue("tests.record", {"n": 1}, dedupe_key="rolled-back")
                raise ValueError("the change failed")
        except ValueError:
            pass
    assert callbacks == [] and CALLS == [] and not OutboxMessage.objects.exists()


def test_a_failing_handler_stays_pending_and_is_retried_with_a_growing_delay(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("tests.boom", {}, dedupe_key="boom")
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "smtp down" in message.last_error
    # Just dispatched: the once-a-minute re-dispatch leaves it alone until its delay has passed.
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert outbox.redispatch_pending() == 0
    OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now() - datetime.timedelta(minutes=2))
    assert outbox.redispatch_pending() == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert outbox.retry_delay_seconds(1) == 60 and outbox.retry_delay_seconds(3) == 240
    assert outbox.retry_delay_seconds(20) == 3600


def test_a_handler_failing_every_time_ends_failed_after_max_attempts():
    message = OutboxMessage.objects.create(handler="tests.boom", payload={}, dedupe_key="boom-max")
    results = [outbox.deliver(message.pk) for _ in range(outbox.MAX_ATTEMPTS)]
    message.refresh_from_db()
    assert results[-1] == "error" and message.status == "failed" and message.attempts == outbox.MAX_ATTEMPTS
    assert outbox.deliver(message.pk) == "skipped"


def test_an_unknown_handler_is_kept_pending_for_a_newer_worker():
    message = OutboxMessage.objects.create(handler="tests.not_yet_deployed", payload={}, dedupe_key="unknown")
    assert outbox.deliver(message.pk) == "error"
    message.refresh_from_db()
    assert message.status == "pending" and "no handler" in message.last_error


def test_handlers_of_every_app_are_found_without_importing_their_tasks_first():
    """A web process running Celery eagerly has not imported sessions/tasks.py: deliver still finds its handler."""
    code = (
        "import django; django.setup()\n"
        "from core import outbox\n"
        "assert 'sessions.send_morning_reminder' not in outbox.HANDLERS\n"
        "assert outbox._handler_for('sessions.send_morning_reminder') is not None\n"
        "assert outbox._handler_for('progression.send_weekly_prescription') is not None\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rehab.settings.test", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_redispatch_leaves_recent_rows_to_their_on_commit_dispatch():
    message = OutboxMessage.objects.create(handler="tests.record", payload={"n": 7}, dedupe_key="recent")
    assert outbox.redispatch_pending() == 0, "younger than a minute: its own on_commit dispatch is on its way"
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert outbox.redispatch_pending() == 1
    assert CALLS == [7]


def test_dispatch_never_raises_when_the_broker_refuses(monkeypatch):
    from core.tasks import deliver_outbox

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(deliver_outbox, "apply_async", refuse)
    message = OutboxMessage.objects.create(handler="tests.record", payload={"n": 1}, dedupe_key="refused")
    assert outbox.dispatch(message.pk) is False
    message.refresh_from_db()
    assert message.status == "pending" and message.dispatched_at is None
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert outbox.redispatch_pending() == 0, "stops at the first broker error"


def test_the_beat_schedule_names_registered_tasks():
    from rehab.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert {"core.redispatch_outbox", "sessions.morning_reminders", "progression.escalate_signoffs",
            "progression.weekly_prescriptions", "progression.nightly_reevaluation"} == {
        entry["task"] for entry in schedule.values()}
