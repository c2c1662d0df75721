"""The embedded mode runs the periodic work: the scheduler that `dev.py run` starts beside the server, started the
same way (dev.scheduler_command, dev.Children, dev.run_env) for a few seconds, runs a beat entry that is due at once.

No broker and no worker: Celery is eager in the embedded mode, so beat's Scheduler.apply_async -> task.apply_async
runs the task at once in the beat process (task_always_eager). The task here is the real sign-off escalation; its
email leaves through the outbox, also eagerly, and links to the port dev.py was told (SITE_URL).
"""
import datetime
import email
import email.policy
import os
import subprocess
import sys
import time

import pytest

from core import clock
from core.models import Notification
from progression.models import Decision
from tests.live_db import copy_back, file_database
from tests.test_dev_run import load_dev

pytestmark = pytest.mark.django_db(transaction=True)


def _mails(directory) -> list:
    out = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                out.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return out


def test_the_dev_scheduler_runs_a_due_task_and_its_email_links_to_the_port(world, plan, tmp_path):
    dev = load_dev()
    decision = Decision.objects.create(
        plan=plan, trigger="session_log", protocol_slug="hamstring-rts", protocol_version=1,
        decided_on=clock.now().date(), inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
        outcome="advance", from_phase=0, to_phase=1, status="awaiting_signoff")
    Decision.objects.filter(pk=decision.pk).update(created_at=clock.now() - datetime.timedelta(hours=30))

    database_url = file_database(tmp_path)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "scheduler.log"
    # The developer's environment, as `dev.py run` sees it: no broker, no settings module, PORT=8765.
    base = {k: v for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
                         "SITE_URL"}}
    env = dev.run_env({**base, "DATABASE_URL": database_url, "EMAIL_URL": f"filemail:///{mail_dir}"}, "8765")
    command = dev.scheduler_command(env, schedule=tmp_path / "celerybeat-schedule", app="tests.background.dev_beat_app",
                                    python=sys.executable)
    assert command[3:6] == ["-A", "tests.background.dev_beat_app", "beat"]

    children = dev.Children()
    with open(log_path, "wb") as log_file:
        proc = children.start("scheduler", command, env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not _mails(mail_dir) and proc.poll() is None:
            time.sleep(0.2)
    finally:
        children.stop()
    assert proc.poll() is not None, "the scheduler is stopped"
    mails = _mails(mail_dir)
    assert mails, f"no email from the scheduler within 45 s (exit code {proc.returncode}); log: {log_path.read_text()[-3000:]}"

    copy_back(database_url)
    assert Notification.objects.filter(kind="escalation", dedupe_key=f"escalation:{decision.pk}").count() == 1
    message = mails[0]
    assert "Sign-off overdue" in message["Subject"] and message["To"] == world.clinician.email
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://127.0.0.1:8765/clinic/athletes/{world.athlete.pk}/#decision-{decision.pk}" in body
    assert "127.0.0.1:8000" not in body
