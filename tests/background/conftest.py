"""Helpers for the background-work tests: a private redis-server, pointing Celery at a real broker, plans."""
import datetime
import shutil
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from rehab.celery import app
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_ping(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server of the test's own, on a free port; stop() and start() again on the same port."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if redis_ping(self.port):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        deadline = time.monotonic() + 5
        while redis_ping(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def redis_server():
    need(shutil.which("redis-server"), "redis-server (apt-get install redis-server)")
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_broker_pools() -> None:
    """Close every pooled broker connection and forget the pools, so the next publish uses the new URL."""
    from kombu import pools

    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    """Send tasks to a real broker from this process (eager off); restore the test settings afterwards."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _reset_broker_pools()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _reset_broker_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved


def drain_queue(url: str, queue: str = "celery", wait: float = 1.0) -> list[tuple[str, list]]:
    """Take every task message off a Redis queue, as a worker would: [(task name, args)]."""
    from kombu import Connection

    out = []
    with Connection(url, transport_options={"max_retries": 0}) as conn:
        q = conn.SimpleQueue(queue)
        try:
            while True:
                try:
                    message = q.get(block=True, timeout=wait)
                except q.Empty:
                    break
                args, _kwargs, _embed = message.decode()
                out.append((message.headers["task"], list(args)))
                message.ack()
        finally:
            q.close()
    return out


# --- plans and sessions --------------------------------------------------------------------------------

def at(day: datetime.date, hour: int, minute: int = 0, tz=datetime.UTC) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


@pytest.fixture
def protocol(db):
    from progression.models import Protocol

    return Protocol.objects.get(slug="hamstring-rts", version=1)


@pytest.fixture
def plan(world, protocol):
    """An active plan in P0 for world.athlete, started 12 days ago, organisation in UTC."""
    from progression import services

    world.org.time_zone = "UTC"
    world.org.save()
    start = timezone.localdate() - datetime.timedelta(days=12)
    return services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_date=start,
                               now=at(start, 8))


def log_session(world, *, now=None, **fields):
    """A session logged by the athlete (by the clinician when it carries staff measurements)."""
    from progression.evidence import session_log_enter
    from sessions.services import ATHLETE_SESSION_FIELDS

    values = {"pain_during": 1, "rpe": Decimal(5), "minutes": 40, **fields}
    if now is not None:
        values.setdefault("date", now.astimezone(world.athlete.organisation.tz).date())
    actor = world.clinician if set(values) - set(ATHLETE_SESSION_FIELDS) else world.athlete_user
    log, _ = session_log_enter(actor=actor, athlete=world.athlete, client_id=uuid.uuid4(), now=now, **values)
    return log
