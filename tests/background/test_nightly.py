"""The nightly re-evaluation: every active plan, in batches; a decision is recorded only when something changed."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent, Notification, OutboxMessage
from progression import services, tasks
from progression.evidence import symptom_report_enter
from progression.models import Decision, NightlyRun, Plan
from progression.services import nightly
from tests.factories import InjuryFactory

from .conftest import at, log_session

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=18)


def day(n):
    return START + datetime.timedelta(days=n)


@pytest.fixture
def p1_plan(world, protocol):
    """A plan in P1 with two clean sessions and a strength test on days 1 and 3: an advance awaits sign-off."""
    world.org.time_zone = "UTC"
    world.org.save()
    world.injury.date_of_injury = START - datetime.timedelta(days=3)  # the plan cannot start before the injury
    world.injury.save()
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_phase=1,
                               start_date=START, now=at(START, 8))
    for n in (1, 3):
        log = log_session(world, now=at(day(n), 18), strength_lsi=Decimal(85), strength_method="iso_90_90",
                          technique=Decimal(80))
        symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(),
                              now=at(day(n + 1), 8), soreness_24h=1)
    latest = Decision.objects.filter(plan=plan).order_by("-created_at", "-id").first()
    assert (latest.outcome, latest.status) == ("advance", "awaiting_signoff"), latest.reasons
    return plan


def counts():
    return (Decision.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count(),
            Notification.objects.count())


def test_nothing_is_recorded_when_nothing_changed(p1_plan):
    before = counts()
    pending = Decision.objects.get(status="awaiting_signoff")
    assert services.plan_reevaluate_nightly(plan=p1_plan, now=at(day(5), 3)) is None
    assert counts() == before, "no decision, no audit event, no notification, no outbox row"
    pending.refresh_from_db()
    assert pending.status == "awaiting_signoff", "the advance keeps waiting (and its escalation clock)"
    p1_plan.refresh_from_db()
    assert p1_plan.current_phase == 1


def test_a_stale_strength_test_turns_the_advance_into_a_hold_once(p1_plan):
    # Day 12: the strength test of day 3 is nine days old, beyond the seven days the P1 exit accepts.
    decision = services.plan_reevaluate_nightly(plan=p1_plan, now=at(day(12), 3))
    assert decision is not None
    assert (decision.trigger, decision.outcome, decision.decided_by_rule) == ("nightly", "hold", "rule.missing_data")
    assert decision.created_by is None
    # (Whether a hold for missing data supersedes the pending advance is plan_evaluate's rule, not tested here.)
    assert AuditEvent.objects.filter(action="decision.hold", target_id=str(decision.pk)).exists()
    # The nights after: the same hold, nothing more is written.
    before = counts()
    for n in (13, 14, 15):
        assert services.plan_reevaluate_nightly(plan=p1_plan, now=at(day(n), 3)) is None
    assert counts() == before


def test_the_signature_ignores_values_that_drift_every_day(p1_plan):
    latest = Decision.objects.get(status="awaiting_signoff")
    drifted = Decision(**{f.attname: getattr(latest, f.attname) for f in Decision._meta.concrete_fields})
    drifted.reasons = [{**r, "values": {"acwr": 1.01}, "message": "other words"} for r in latest.reasons]
    assert services.decision_signature(drifted) == services.decision_signature(latest)
    drifted.reasons = [{**r, "status": "not_met"} for r in latest.reasons]
    assert services.decision_signature(drifted) != services.decision_signature(latest)
    drifted.reasons, drifted.protocol_version = latest.reasons, latest.protocol_version + 1
    assert services.decision_signature(drifted) != services.decision_signature(latest)


def test_paused_and_completed_plans_are_left_alone(p1_plan):
    Plan.objects.filter(pk=p1_plan.pk).update(status="paused")
    before = counts()
    assert services.plan_reevaluate_nightly(plan=p1_plan, now=at(day(12), 3)) is None
    assert counts() == before


def test_the_tick_runs_once_per_local_night_from_three(world, p1_plan, django_capture_on_commit_callbacks):
    world.org.time_zone = "Europe/Berlin"  # UTC+1 in winter, +2 in summer
    world.org.save()
    now = timezone.now()
    local = now.astimezone(world.org.tz)
    three = datetime.datetime.combine(local.date(), datetime.time(3), tzinfo=world.org.tz)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_nightly_reevaluation(now=three - datetime.timedelta(minutes=1)) == 0
        assert tasks.queue_nightly_reevaluation(now=three) == 1
        tasks.queue_nightly_reevaluation(now=three + datetime.timedelta(hours=1))
    # Berlin's row, once; London's (the other organisation) came an hour later, on London's own clock.
    message = OutboxMessage.objects.get(handler="progression.nightly_fan_out", payload__organisation_id=world.org.pk)
    assert message.dedupe_key == f"nightly:{world.org.pk}:{local.date().isoformat()}"
    assert message.status == "done"
    assert OutboxMessage.objects.filter(handler="progression.nightly_fan_out").count() == 2
    assert Decision.objects.filter(trigger="nightly").count() == 1, "the stale strength test made a hold"


def test_the_fan_out_sends_chunks_and_a_failing_plan_does_not_stop_the_others(world, p1_plan, protocol,
                                                                             monkeypatch):
    second = services.plan_start(actor=world.clinician, injury=InjuryFactory(athlete=world.other_athlete),
                                 protocol=protocol)
    Plan.objects.create(injury=InjuryFactory(athlete=world.other_athlete), protocol=protocol,
                        clinician=world.clinician, status="completed")
    sent = []
    monkeypatch.setattr(tasks, "NIGHTLY_BATCH_SIZE", 1)
    monkeypatch.setattr(tasks, "group", lambda sigs: _Recorder(sent, sigs))
    tasks.nightly_fan_out({"organisation_id": world.org.pk, "day": TODAY.isoformat()})
    run = NightlyRun.objects.get(organisation=world.org, day=TODAY)
    assert run.chunks == [[p1_plan.pk], [second.pk]], "active plans of the organisation only, one chunk each"
    assert sent == [(run.pk, 0), (run.pk, 1)], "one task per chunk, as one Celery group"

    calls = []

    def flaky(plan, protocol, logs, assessments, now):
        calls.append(plan.pk)
        if plan.pk == p1_plan.pk:
            raise RuntimeError("boom")
        return None

    monkeypatch.setattr(nightly, "_outcome_signature", flaky)
    result = tasks.reevaluate_plans.apply(args=[[p1_plan.pk, second.pk, 999999]]).get()
    assert calls == [p1_plan.pk, second.pk], "an unknown plan is left out"
    assert result == {"recorded": 0, "unchanged": 1, "failed": 1}


class _Recorder:
    def __init__(self, sent, signatures):
        self.sent, self.signatures = sent, list(signatures)

    def apply_async(self, **kwargs):
        self.sent.extend(tuple(sig.args) for sig in self.signatures)


def _active_plans(world, protocol, n):
    """n more active plans in P1 with a clean session each, besides the fixture's."""
    plans = []
    for _ in range(n):
        injury = InjuryFactory(athlete=world.other_athlete, date_of_injury=START - datetime.timedelta(days=3))
        plan = services.plan_start(actor=world.clinician, injury=injury, protocol=protocol, start_phase=1,
                                   start_date=START, now=at(START, 8))
        plans.append(plan)
    return plans


def test_a_chunk_reads_its_plans_in_constant_queries_and_writes_nothing_when_nothing_changed(
        world, p1_plan, protocol, django_assert_max_num_queries):
    others = _active_plans(world, protocol, 5)
    ids = [p1_plan.pk, *[p.pk for p in others]]
    before = counts()
    with django_assert_max_num_queries(6):
        # Six plans, nothing changed for any (day 5: the advance still waits): the bulk load only, no lock, no write.
        result = services.plans_reevaluate_nightly(plan_ids=ids, now=at(day(5), 3))
    assert result == {"recorded": 0, "unchanged": 6, "failed": 0}
    assert counts() == before


def test_the_chunk_records_what_changed_as_the_single_plan_path_does(world, p1_plan, protocol):
    # Day 12: the strength test is stale; the chunk records the same hold plan_reevaluate_nightly would.
    result = services.plans_reevaluate_nightly(plan_ids=[p1_plan.pk], now=at(day(12), 3))
    assert result == {"recorded": 1, "unchanged": 0, "failed": 0}
    decision = Decision.objects.filter(plan=p1_plan).order_by("-created_at", "-id").first()
    assert (decision.trigger, decision.outcome, decision.decided_by_rule) == ("nightly", "hold", "rule.missing_data")
    before = counts()
    assert services.plans_reevaluate_nightly(plan_ids=[p1_plan.pk], now=at(day(13), 3))["unchanged"] == 1
    assert counts() == before


def test_queries_per_plan_stay_constant_as_the_chunk_grows(world, p1_plan, protocol):
    small = _active_plans(world, protocol, 1)
    large = _active_plans(world, protocol, 20)
    def queries(ids):
        with CaptureQueriesContext(connection) as ctx:
            services.plans_reevaluate_nightly(plan_ids=ids, now=at(day(5), 3))
        return len(ctx.captured_queries)

    assert queries([p.pk for p in small]) == queries([p.pk for p in large]), "a constant number per chunk"


def test_a_run_resumes_where_it_stopped(world, p1_plan, protocol, monkeypatch):
    others = _active_plans(world, protocol, 2)
    monkeypatch.setattr(tasks, "NIGHTLY_BATCH_SIZE", 1)
    sent = []
    monkeypatch.setattr(tasks, "group", lambda sigs: _Recorder(sent, sigs))
    payload = {"organisation_id": world.org.pk, "day": TODAY.isoformat()}
    tasks.nightly_fan_out(payload)
    run = NightlyRun.objects.get(organisation=world.org, day=TODAY)
    assert len(run.chunks) == 3 and run.progress == "0/3 chunks"
    # The first chunk runs, then the workers are lost: the outbox sends the run again.
    tasks.reevaluate_chunk.apply(args=[run.pk, 0]).get()
    run.refresh_from_db()
    assert run.done_chunks == [0] and run.finished_at is None
    sent.clear()
    tasks.nightly_fan_out(payload)
    assert sent == [(run.pk, 1), (run.pk, 2)], "only the chunks not done are sent again"
    assert tasks.reevaluate_chunk.apply(args=[run.pk, 0]).get() == {"skipped": True}, "a chunk done is not run twice"
    for index in (1, 2):
        tasks.reevaluate_chunk.apply(args=[run.pk, index]).get()
    run.refresh_from_db()
    assert run.progress == "3/3 chunks" and run.finished_at is not None
    assert run.recorded + run.unchanged + run.failed == 1 + len(others)
    sent.clear()
    tasks.nightly_fan_out(payload)
    assert sent == [], "a finished run sends nothing"
