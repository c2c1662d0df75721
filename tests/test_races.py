"""Concurrent requests end as the first result or a 409 (a form error on a page), never an IntegrityError 500
(issue 10, findings 5 and 6). Real concurrency needs PostgreSQL's row locks: skipped on SQLite, required in CI.

Each test starts N threads behind a barrier, each with its own database connection and client, all sending
the same request at once.
"""
import datetime
import threading
import uuid

import pytest
from django.db import connection, connections

from athletes.models import Athlete
from progression import services as plan_services
from progression.models import Decision, Plan, Protocol
from sessions.models import SessionLog
from tests.conftest import clean_p0_evidence, need

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(n, request):
    """Run `request()` in n threads released together; returns their results (or exception names)."""
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(10)
            outcome = request()
        except Exception as exc:  # noqa: BLE001 - a 500 shows up here as the exception the client re-raises
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _postgres():
    need(connection.vendor == "postgresql", "concurrency needs PostgreSQL (set DATABASE_URL)")


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def test_ten_concurrent_plan_starts_for_one_injury(world):
    _postgres()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    clients = [_api(world.clinician) for _ in range(10)]
    it = iter(clients)
    lock = threading.Lock()

    def start():
        with lock:
            client = next(it)
        response = client.post("/api/v1/plans/", {"injury": world.injury.pk, "protocol": protocol.pk}, format="json")
        return response.status_code

    results = _at_once(10, start)
    assert sorted(results) == [201] + [409] * 9, results
    assert Plan.objects.filter(injury=world.injury).count() == 1


def test_ten_concurrent_plan_starts_through_the_page(world, client_for):
    _postgres()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    clients = iter([client_for(world.clinician) for _ in range(10)])
    lock = threading.Lock()

    def start():
        with lock:
            client = next(clients)
        response = client.post(f"/clinic/athletes/{world.athlete.pk}/plan/new/", {
            "injury": world.injury.pk, "protocol": protocol.pk, "start_phase": 0, "advance_requires_signoff": "on"})
        if response.status_code == 200:
            return "form error: " + " ".join(response.context["form"].non_field_errors())
        return response.status_code

    results = _at_once(10, start)
    assert results.count(302) == 1, results
    assert all(r == 302 or "already has an open plan" in str(r) for r in results), results
    assert Plan.objects.filter(injury=world.injury).count() == 1


def test_ten_concurrent_athlete_creates_with_one_email(world, client_for):
    _postgres()
    clients = iter([client_for(world.clinician) for _ in range(10)])
    lock = threading.Lock()

    def add():
        with lock:
            client = next(clients)
        response = client.post("/clinic/athletes/new/", {"first_name": "Mia", "last_name": "Fast",
                                                          "login_email": "mia@example.org"})
        if response.status_code == 200:
            form = response.context["form"]
            return "form error: " + " ".join([*form.non_field_errors(), *form.errors.get("login_email", [])])
        return response.status_code

    results = _at_once(10, add)
    assert results.count(302) == 1, results
    assert all(r == 302 or "login" in str(r) for r in results), results
    assert Athlete.objects.filter(first_name="Mia").count() == 1


def test_two_concurrent_overrides_give_one_200_and_one_409(world):
    _postgres()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    decision = Decision.objects.create(
        plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1, decided_on=datetime.date.today(),
        inputs={}, reasons=[], decided_by_rule="rule.red_flag", outcome="regress", from_phase=0, to_phase=0,
        status="applied")
    clients = iter([_api(world.clinician), _api(world.clinician)])
    phases = iter([1, 2])
    lock = threading.Lock()

    def override():
        with lock:
            client, phase = next(clients), next(phases)
        response = client.post(f"/api/v1/decisions/{decision.pk}/override/",
                               {"to_phase": phase, "reason": f"to P{phase}", "version": plan.version}, format="json")
        return response.status_code

    results = _at_once(2, override)
    assert sorted(results) == [200, 409], results
    plan.refresh_from_db()
    assert plan.version == 2, "exactly one override was applied"


def test_two_concurrent_sign_offs_through_the_api(world):
    _postgres()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    clean_p0_evidence(world, plan)  # the sign-off re-checks the advance against the evidence
    decision = Decision.objects.create(
        plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1, decided_on=datetime.date.today(),
        inputs={}, reasons=[], decided_by_rule="rule.exit_criteria", outcome="advance", from_phase=0, to_phase=1,
        status="awaiting_signoff")
    clients = iter([_api(world.clinician) for _ in range(4)])
    lock = threading.Lock()

    def sign():
        with lock:
            client = next(clients)
        return client.post(f"/api/v1/decisions/{decision.pk}/sign-off/", {"version": plan.version},
                           format="json").status_code

    results = _at_once(4, sign)
    assert sorted(results) == [200, 409, 409, 409], results
    plan.refresh_from_db()
    assert plan.current_phase == 1


def test_ten_concurrent_session_logs_with_one_client_id_give_one_row(world):
    _postgres()
    client_id = str(uuid.uuid4())
    clients = iter([_api(world.athlete_user) for _ in range(10)])
    lock = threading.Lock()

    def log():
        with lock:
            client = next(clients)
        response = client.post("/api/v1/session-logs/", {"client_id": client_id, "pain_during": 1, "rpe": 5,
                                                          "minutes": 30}, format="json")
        return response.status_code, response.json().get("id")

    results = _at_once(10, log)
    assert {status for status, _ in results} <= {200, 201}, results
    assert [status for status, _ in results].count(201) == 1
    assert len({pk for _, pk in results}) == 1, "every retry answers with the first record"
    assert SessionLog.objects.filter(client_id=client_id).count() == 1


def test_concurrent_protocol_clones_never_500(world):
    _postgres()
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    clients = iter([_api(world.clinician) for _ in range(6)])
    lock = threading.Lock()

    def clone():
        with lock:
            client = next(clients)
        return client.post(f"/api/v1/protocols/{protocol.pk}/clone/", {"base_version": 0}, format="json").status_code

    results = _at_once(6, clone)
    assert set(results) <= {201, 409}, results
    assert 201 in results


def test_concurrent_token_creates_never_500(world):
    """core/tokens.py (also rewritten on the sec-web branch): the user row is locked, so each create rotates."""
    _postgres()
    clients = iter([_api(world.clinician) for _ in range(8)])
    lock = threading.Lock()

    def create():
        with lock:
            client = next(clients)
        return client.post("/api/v1/tokens/", {}, format="json").status_code

    results = _at_once(8, create)
    assert results == [201] * 8, results


def test_concurrent_morning_reports_for_one_session_give_one_row(world):
    _postgres()
    from sessions.models import SymptomReport

    log = SessionLog.objects.create(athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                                    date=datetime.date.today() - datetime.timedelta(days=2))  # its report is open at any hour
    clients = iter([_api(world.athlete_user) for _ in range(6)])
    lock = threading.Lock()

    def report():
        with lock:
            client = next(clients)
        response = client.post("/api/v1/symptom-reports/", {"session_log": log.pk, "client_id": str(uuid.uuid4()),
                                                             "soreness_24h": 2}, format="json")
        return response.status_code

    results = _at_once(6, report)
    assert set(results) <= {200, 201, 409} and results.count(201) == 1, results
    assert SymptomReport.objects.filter(session_log=log).count() == 1
