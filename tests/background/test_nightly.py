"""The nightly re-evaluation: every active plan, in batches; a decision is recorded only when something changed."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEvent, Notification, OutboxMessage
from progression import services, tasks
from progression.evidence import symptom_report_enter
from progression.models import Decision, Plan
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


def test_the_fan_out_sends_batches_and_a_failing_plan_does_not_stop_the_others(world, p1_plan, protocol,
                                                                              monkeypatch):
    second = services.plan_start(actor=world.clinician, injury=InjuryFactory(athlete=world.other_athlete),
                                 protocol=protocol)
    Plan.objects.create(injury=InjuryFactory(athlete=world.other_athlete), protocol=protocol,
                        clinician=world.clinician, status="completed")
    batches = []
    monkeypatch.setattr(tasks, "NIGHTLY_BATCH_SIZE", 1)
    monkeypatch.setattr(tasks.reevaluate_plans, "apply_async", lambda args, **kw: batches.append(args[0]))
    tasks.nightly_fan_out({"organisation_id": world.org.pk})
    assert batches == [[p1_plan.pk], [second.pk]], "active plans of the organisation only, one batch each"

    calls = []

    def flaky(*, plan, now):
        calls.append(plan)
        if plan == p1_plan.pk:
            raise RuntimeError("boom")
        return None

    monkeypatch.setattr(services, "plan_reevaluate_nightly", flaky)
    result = tasks.reevaluate_plans.apply(args=[[p1_plan.pk, second.pk, 999999]]).get()
    assert calls == [p1_plan.pk, second.pk, 999999]
    assert result == {"recorded": 0, "unchanged": 2, "failed": 1}
