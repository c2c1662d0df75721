"""A double tap never gives an error page: ten POSTs of the athlete's session-log form with one client_id, at the
same moment, against a real threaded server (runserver in a subprocess) on a file database.

SQLite: the test database is in memory, which another process cannot open and which pytest-django's live server
shares through one connection (so nothing would run concurrently); tests.live_db copies it into a file. Was: on
SQLite, 'database is locked' (HTTP 500) for the taps that lost the race, because two deferred transactions that had
both read could not both upgrade to a write lock, and SQLite refuses that at once, whatever the busy timeout.
Now: WAL, a 20 s busy timeout and BEGIN IMMEDIATE (rehab/settings/base.py). PostgreSQL: the same test on the test
database.
"""
import datetime
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from progression import services as plan_services
from progression.models import Protocol
from sessions.models import SessionLog
from tests.live_db import copy_back, file_database

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TAPS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="rehab.settings.test", DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the server did not start: {log_path.read_text(errors='replace')[-3000:]}")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_ten_taps_at_once_give_one_session_and_no_error_page(world, tmp_path):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                             start_date=world.injury.date_of_injury + datetime.timedelta(days=1))
    database_url = file_database(tmp_path)
    log_path = tmp_path / "server.log"
    server, base = start_server(database_url, log_path)
    try:
        browser = requests.Session()
        login = browser.get(f"{base}/accounts/login/", timeout=30)
        response = browser.post(f"{base}/accounts/login/", timeout=30, data={
            "username": "ath", "password": "pw", "csrfmiddlewaretoken": csrf_of(login.text)})
        assert response.status_code == 200 and response.url.endswith("/me/"), response.status_code
        form = browser.get(f"{base}/me/log/", timeout=30)
        client_id = re.search(r'name="client_id" value="([^"]+)"', form.text).group(1)
        data = {"csrfmiddlewaretoken": csrf_of(form.text), "client_id": client_id, "pain_during": "1", "rpe": "5",
                "minutes": "30", "reps_done": "6"}
        cookies = browser.cookies.get_dict()
        start = threading.Barrier(TAPS)
        answers = []

        def tap():
            with requests.Session() as phone:
                phone.cookies.update(cookies)
                start.wait(10)
                answer = phone.post(f"{base}/me/log/", data=data, headers={"Referer": f"{base}/me/log/"},
                                    allow_redirects=False, timeout=60)
                answers.append((answer.status_code, answer.headers.get("Location", "")))

        threads = [threading.Thread(target=tap) for _ in range(TAPS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
    finally:
        server.terminate()
        server.wait(15)
    log = log_path.read_text(errors="replace")
    statuses = sorted(status for status, _ in answers)
    assert len(answers) == TAPS
    assert statuses == [302] * TAPS, f"{statuses}; server log:\n{log[-4000:]}"
    assert {location for _, location in answers} == {"/me/"}
    assert "database is locked" not in log
    copy_back(database_url)
    assert SessionLog.objects.filter(client_id=uuid.UUID(client_id)).count() == 1
    assert SessionLog.objects.filter(athlete=world.athlete).count() == 1
