"""Applying a decision locks the plan row: a concurrent evaluation waits instead of deciding on stale state.

Row locks need PostgreSQL (SQLite locks the whole database): skipped locally on SQLite, required in CI.
"""
import datetime
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from progression import services
from progression.models import Decision, Plan, Protocol
from sessions.models import SessionLog
from tests.conftest import clean_p0_evidence, need


@pytest.mark.django_db(transaction=True)
def test_evaluation_waits_for_the_plan_lock(world):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    SessionLog.objects.create(athlete=world.athlete, plan=plan, pain_during=1, rpe=Decimal(5), minutes=30,
                              date=datetime.date.today(), client_id=uuid.uuid4())
    holding, released = threading.Event(), threading.Event()
    finished_at = {}

    def holder():
        try:
            with transaction.atomic():
                Plan.objects.select_for_update().get(pk=plan.pk)
                holding.set()
                time.sleep(1.0)
                Plan.objects.filter(pk=plan.pk).update(version=plan.version + 10)
                finished_at["holder"] = time.monotonic()
            released.set()
        finally:
            connections.close_all()

    def evaluator():
        try:
            holding.wait(5)
            services.plan_evaluate(plan=plan, actor=world.clinician, trigger="manual")
            finished_at["evaluator"] = time.monotonic()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=evaluator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert released.is_set()
    assert finished_at["evaluator"] >= finished_at["holder"], "the evaluation ran while another writer held the plan"
    plan.refresh_from_db()
    assert plan.version >= 11, "the evaluation saw the holder's committed write"
    assert Decision.objects.filter(plan=plan).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sign_offs_apply_once(world):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    clean_p0_evidence(world, plan)  # the sign-off re-checks the advance against the evidence
    decision = Decision.objects.create(
        plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1, decided_on=datetime.date.today(),
        inputs={}, reasons=[], decided_by_rule="rule.exit_criteria", outcome="advance", from_phase=0, to_phase=1,
        status="awaiting_signoff")
    results = []
    barrier = threading.Barrier(2)

    def sign():
        try:
            barrier.wait(5)
            services.decision_sign_off(actor=world.clinician, decision=Decision.objects.get(pk=decision.pk))
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the loser's Conflict is the point
            results.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == ["Conflict", "ok"]
    plan.refresh_from_db()
    assert plan.current_phase == 1
