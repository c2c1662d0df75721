"""End to end through a real Redis broker and a real `celery worker` process (CI: PostgreSQL and REDIS_URL).

A red-flag session is logged (committed: the worker is another process and must see the rows); the outbox
row is published to Redis on commit; the worker runs it and writes the email to a file; the alert is in the
clinician's notification list. A duplicate task message then changes nothing.
"""
import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from core import outbox
from core.models import Notification, OutboxMessage
from progression import services as plan_services
from progression.evidence import session_log_enter
from progression.models import Protocol
from rehab.celery import app
from tests.conftest import need

from .conftest import ROOT, celery_broker, redis_ping

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WAIT = 30  # seconds, for every wait on the worker


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def _wait_for(predicate, what: str, log_path, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {timeout} s for {what}; worker log:\n{log_path.read_text(errors='replace')[-4000:]}")


def _mails(directory) -> list:
    out = []
    for path in sorted(directory.glob("*.log")):
        raw = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        out += [email.message_from_bytes(chunk, policy=email.policy.default) for chunk in raw if chunk.strip()]
    return out


@contextmanager
def running_worker(broker: str, tmp_path):
    """`celery -A rehab worker` in a subprocess on `broker`, the test database, email to files; always stopped."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.background.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "REHAB_TEST_EMAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(ROOT),
    }
    with open(log_path, "wb") as log_file:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "solo", "--concurrency", "1",
             "-Q", "celery", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"bgtest-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: b" ready." in log_path.read_bytes() or worker.poll() is not None, "the worker to start",
                  log_path)
        assert worker.poll() is None, log_path.read_text(errors="replace")
        yield SimpleNamespace(process=worker, mail_dir=mail_dir, log_path=log_path)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


def _start_plan(world):
    world.org.time_zone = "UTC"
    world.org.save()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    return plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)


def _red_flag(world):
    log, created = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                                      pain_during=8, rpe=Decimal(6), minutes=30, red_flag=True)
    assert created
    return log


def _need_postgres():
    need(connection.vendor == "postgresql",
         "PostgreSQL (DATABASE_URL): the worker process must see the test's committed rows")


@pytest.mark.django_db(transaction=True)
def test_a_red_flag_goes_through_redis_and_a_real_worker(world, client_for, tmp_path):
    _need_postgres()
    broker = os.environ.get("REDIS_URL", "")
    need(broker.startswith("redis://"), "REDIS_URL: a real Redis broker")
    parts = urlsplit(broker)
    need(redis_ping(parts.port or 6379, parts.hostname or "127.0.0.1"), f"Redis answering at {broker}")
    with celery_broker(broker):
        app.control.purge()  # nothing left over from an earlier run reaches this worker
    _start_plan(world)

    started = time.monotonic()
    with running_worker(broker, tmp_path) as worker:
        ready_after = time.monotonic() - started
        with celery_broker(broker):
            _red_flag(world)
        message = OutboxMessage.objects.get(handler="core.send_notification_email")
        assert message.dispatched_at is not None, "published to Redis on commit"

        def delivered():
            message.refresh_from_db()
            return message.status == "done" and len(_mails(worker.mail_dir)) >= 1

        _wait_for(delivered, "the worker to send the email", worker.log_path)
        delivered_after = time.monotonic() - started
        sent = _mails(worker.mail_dir)
        assert len(sent) == 1
        assert sent[0]["To"] == world.clinician.email
        assert "Red flag" in sent[0]["Subject"]
        body = sent[0].get_body(preferencelist=("plain",)).get_content()
        assert f"{settings.SITE_URL.rstrip('/')}/clinic/athletes/{world.athlete.pk}/#decision-" in body
        assert mail.outbox == [], "the worker sent it, not this process"

        # The clinician's in-app list, with the unread count.
        page = client_for(world.clinician).get(reverse("notifications"))
        note = Notification.objects.get(recipient=world.clinician, kind="red_flag")
        assert note.title in page.content.decode()
        assert page.context["unread_notifications"] == 1

        # A duplicate task message (a re-dispatch of a row still queued, a redelivery): nothing more is sent.
        with celery_broker(broker):
            assert outbox.dispatch(message.pk) is True
        _wait_for(lambda: b"'skipped'" in worker.log_path.read_bytes(), "the worker to skip the duplicate",
                  worker.log_path)
        assert len(_mails(worker.mail_dir)) == 1
        assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
        print(f"\nworker ready after {ready_after:.1f} s; email sent {delivered_after - ready_after:.1f} s later")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rides_out_a_broker_outage(world, tmp_path, redis_server):
    """Redis dies under a running worker; a red flag is logged meanwhile; Redis comes back; the beat's
    re-dispatch hands the message over and the same worker, reconnected, sends the email once."""
    _need_postgres()
    _start_plan(world)
    started = time.monotonic()
    with running_worker(redis_server.url, tmp_path) as worker, celery_broker(redis_server.url):
        redis_server.stop()
        _red_flag(world)
        message = OutboxMessage.objects.get(handler="core.send_notification_email")
        assert (message.status, message.dispatched_at) == ("pending", None)
        assert worker.process.poll() is None, "the worker survives the outage"

        redis_server.start()
        _wait_for(lambda: outbox.redispatch_pending(older_than_seconds=0) == 1, "Redis to take the message",
                  worker.log_path)

        def delivered():
            message.refresh_from_db()
            return message.status == "done" and len(_mails(worker.mail_dir)) >= 1

        _wait_for(delivered, "the reconnected worker to send the email", worker.log_path)
        assert len(_mails(worker.mail_dir)) == 1
        assert outbox.redispatch_pending(older_than_seconds=0) == 0
        time.sleep(1)
        assert len(_mails(worker.mail_dir)) == 1
        print(f"\noutage test: email sent {time.monotonic() - started:.1f} s after the worker started")
