"""A decision awaiting sign-off for more than 24 hours is escalated to the organisation's clinicians, once."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from athletes.models import Role
from core.models import Notification
from progression.models import Decision
from progression.tasks import escalate_overdue_signoffs, escalate_signoffs
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def awaiting(plan, *, hours_ago, status="awaiting_signoff"):
    decision = Decision.objects.create(
        plan=plan, trigger="session_log", protocol_slug="hamstring-rts", protocol_version=1,
        decided_on=timezone.localdate(), inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
        outcome="advance", from_phase=0, to_phase=1, status=status,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours_ago))
    return decision


def run(capture, now=None):
    with capture(execute=True):
        return escalate_overdue_signoffs(now=now or timezone.now())


def test_overdue_sign_off_goes_to_every_clinician_of_the_organisation_once(world, plan,
                                                                           django_capture_on_commit_callbacks):
    colleague = MembershipFactory(organisation=world.org, role=Role.CLINICIAN, user=UserFactory(username="lead")).user
    decision = awaiting(plan, hours_ago=25)
    assert run(django_capture_on_commit_callbacks) == 2
    notes = Notification.objects.filter(kind="escalation")
    assert {n.recipient for n in notes} == {world.clinician, colleague}
    assert all(n.dedupe_key == f"escalation:{decision.pk}" and n.plan_id == plan.pk for n in notes)
    assert "25 h" in notes[0].title and world.athlete.full_name in notes[0].title
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.clinician.email, colleague.email])
    assert "Sign-off overdue" in mail.outbox[0].subject
    # Every later run: nothing more.
    assert run(django_capture_on_commit_callbacks) == 0
    assert run(django_capture_on_commit_callbacks, now=timezone.now() + datetime.timedelta(days=2)) == 0
    assert Notification.objects.filter(kind="escalation").count() == 2 and len(mail.outbox) == 2
    assert not Notification.objects.filter(recipient__in=[world.other_clinician, world.coach]).exists()


def test_not_before_24_hours_and_not_once_reviewed(world, plan, django_capture_on_commit_callbacks):
    awaiting(plan, hours_ago=23)
    awaiting(plan, hours_ago=30, status="signed_off")
    awaiting(plan, hours_ago=30, status="superseded")
    assert run(django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind="escalation").exists() and mail.outbox == []


def test_the_beat_task(world, plan, django_capture_on_commit_callbacks):
    awaiting(plan, hours_ago=48)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_signoffs.apply().get() == 1
    assert len(mail.outbox) == 1
