"""The audit trail is append-only, and every action records what it changed (issue 10, finding 4)."""
import datetime

import pytest
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from core.audit import audit_record
from core.models import AuditEvent, OutboxMessage
from progression import services as plan_services
from progression.models import Decision, Protocol
from sessions.models import SessionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world):
    return audit_record(actor=world.clinician, action="athlete.update", target=world.athlete,
                        before={"sport": "Football"}, after={"sport": "Rugby"})


# --- the database refuses changes ---------------------------------------------------------------------------

def test_the_database_refuses_to_update_an_audit_row(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    event.refresh_from_db()
    assert event.action == "athlete.update"


def test_the_database_refuses_to_delete_an_audit_row(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_change_the_trail_either(event):
    from django.db import connection

    for sql in ("UPDATE core_auditevent SET after = NULL", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk, after={"sport": "Rugby"}).exists()


# --- nothing that audit rows name can be deleted ------------------------------------------------------------

def test_an_organisation_with_audit_rows_cannot_be_deleted(world, event):
    with pytest.raises(ProtectedError), transaction.atomic():
        world.org.delete()
    assert AuditEvent.objects.filter(organisation=world.org).count() >= 1
    assert world.athlete.__class__.objects.filter(pk=world.athlete.pk).exists(), "nothing cascaded"


def test_a_user_with_audit_rows_cannot_be_deleted(world, event):
    with pytest.raises(ProtectedError), transaction.atomic():
        world.clinician.delete()
    assert AuditEvent.objects.filter(actor=world.clinician).exists()


def test_an_inactive_organisation_gives_its_members_no_access(world):
    from core.access import access_for, forget_access

    assert access_for(world.clinician).can_manage_org(world.org.pk)
    world.org.is_active = False
    world.org.save()
    forget_access(world.clinician)
    access = access_for(world.clinician)
    assert not access.can_manage_org(world.org.pk)
    assert not access.is_clinician


# --- the admin ----------------------------------------------------------------------------------------------

@pytest.fixture
def staff_client(world, client_for):
    return client_for(world.staff)


def test_the_admin_shows_audit_rows_read_only(world, event, staff_client):
    changelist = staff_client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert b"delete_selected" not in changelist.content
    response = staff_client.post(reverse("admin:core_auditevent_changelist"),
                                 {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert staff_client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert staff_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert staff_client.post(reverse("admin:core_auditevent_change", args=[event.pk]),
                             {"action": "x"}).status_code == 403
    assert staff_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action="athlete.update").exists()


def test_the_admin_cannot_delete_an_organisation_that_audit_rows_name(world, event, staff_client):
    url = reverse("admin:athletes_organisation_delete", args=[world.org.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert world.org.__class__.objects.filter(pk=world.org.pk).exists()


@pytest.fixture
def clinical(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                    start_date=datetime.date.today() - datetime.timedelta(days=3))
    log = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=0, pain_during=9, rpe=5, minutes=30,
                                    red_flag=True, date=datetime.date.today() - datetime.timedelta(days=1))
    return {"plan": plan, "log": log, "protocol": protocol}


CLINICAL_ADMINS = [
    "athletes_athlete", "athletes_injury", "training_assessment", "training_sessionlog", "training_symptomreport",
    "training_techniquerating", "progression_plan", "progression_decision", "progression_plannote",
    "progression_protocol", "progression_phase",
]


@pytest.mark.parametrize("admin_name", CLINICAL_ADMINS)
def test_clinical_models_are_read_only_in_the_admin(admin_name, staff_client):
    changelist = staff_client.get(reverse(f"admin:{admin_name}_changelist"))
    assert changelist.status_code == 200, "staff can still read them"
    assert b"delete_selected" not in changelist.content
    assert staff_client.get(reverse(f"admin:{admin_name}_add")).status_code == 403


def test_a_superuser_cannot_edit_a_session_log_in_the_admin(world, clinical, staff_client):
    log = clinical["log"]
    url = reverse("admin:training_sessionlog_change", args=[log.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and b'name="pain_during"' not in page.content, "shown read-only"
    response = staff_client.post(url, {"athlete": world.athlete.pk, "pain_during": 0, "rpe": 5, "minutes": 30,
                                       "red_flag": "", "date": str(log.date), "client_id": str(log.client_id)})
    assert response.status_code == 403
    assert staff_client.post(reverse("admin:training_sessionlog_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    log.refresh_from_db()
    assert (log.pain_during, log.red_flag) == (9, True)


def test_a_superuser_cannot_move_a_plan_in_the_admin(world, clinical, staff_client):
    plan = clinical["plan"]
    response = staff_client.post(reverse("admin:progression_plan_change", args=[plan.pk]), {"current_phase": 5})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.current_phase == 0


def test_admin_changes_to_memberships_are_audited(world, staff_client):
    from athletes.models import Membership

    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    url = reverse("admin:athletes_membership_change", args=[membership.pk])
    response = staff_client.post(url, {"user": world.coach.pk, "organisation": world.org.pk, "role": "clinician"})
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(action="admin.change", target_type="athletes.membership", target_id=str(membership.pk))
    assert event.actor == world.staff
    assert event.before["role"] == "coach" and event.after["role"] == "clinician"


# --- the outbox ---------------------------------------------------------------------------------------------

def test_a_delivered_outbox_row_cannot_be_set_back_to_pending_in_the_admin(staff_client):
    message = OutboxMessage.objects.create(handler="core.send_notification_email", payload={"notification_id": 1},
                                           dedupe_key="email:test", status="done")
    url = reverse("admin:core_outboxmessage_change", args=[message.pk])
    response = staff_client.post(url, {"handler": message.handler, "payload": "{}", "dedupe_key": message.dedupe_key,
                                       "status": "pending", "attempts": 0})
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "done"


def test_a_delivered_row_is_never_sent_again(world):
    from core import outbox

    calls = []
    outbox.HANDLERS["test.count"] = lambda payload: calls.append(payload)
    try:
        message = OutboxMessage.objects.create(handler="test.count", payload={}, dedupe_key="count:1")
        assert outbox.deliver(message.pk) == "done"
        OutboxMessage.objects.filter(pk=message.pk).update(status="pending")  # as an old admin could
        assert outbox.deliver(message.pk) == "skipped"
        assert len(calls) == 1
    finally:
        outbox.HANDLERS.pop("test.count", None)


def test_the_admin_can_retry_a_failed_row_and_that_is_audited(world, staff_client):
    message = OutboxMessage.objects.create(handler="core.send_notification_email", payload={"notification_id": 0},
                                           dedupe_key="email:failed", status="failed", attempts=10, last_error="x")
    done = OutboxMessage.objects.create(handler="core.send_notification_email", payload={"notification_id": 0},
                                        dedupe_key="email:done", status="done", attempts=1)
    response = staff_client.post(reverse("admin:core_outboxmessage_changelist"),
                                 {"action": "retry_failed", "_selected_action": [message.pk, done.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    done.refresh_from_db()
    assert done.status == "done", "a delivered row is never put back"
    assert message.attempts == 0
    assert AuditEvent.objects.filter(action="outbox.retry", target_id=str(message.pk), actor=world.staff).exists()


# --- every action stores what it changed --------------------------------------------------------------------

def _pending_advance(plan):
    return Decision.objects.create(
        plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1, decided_on=datetime.date.today(),
        inputs={}, reasons=[], decided_by_rule="rule.exit_criteria", outcome="advance", from_phase=0, to_phase=1,
        status="awaiting_signoff")


def test_a_rejection_stores_the_decision_before(world, clinical):
    decision = _pending_advance(clinical["plan"])
    plan_services.decision_reject(actor=world.clinician, decision=decision, reason="One more week.")
    event = AuditEvent.objects.get(action="decision.reject", target_id=str(decision.pk))
    assert event.before["status"] == "awaiting_signoff"
    assert event.after["status"] == "rejected" and event.after["reason"] == "One more week."


def test_a_plan_note_stores_its_body(world, clinical):
    note = plan_services.plan_note_create(actor=world.clinician, plan=clinical["plan"], body="Ice after sessions.")
    event = AuditEvent.objects.get(action="plan_note.create", target_id=str(note.pk))
    assert event.after["body"] == "Ice after sessions."


def test_the_user_admin_refuses_names_with_newlines_and_audits_changes(world, staff_client):
    url = reverse("admin:auth_user_change", args=[world.coach.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if name not in ("password",)}
    data.update({"username": "coach", "first_name": "Chris\nBcc: x@example.org", "last_name": "Coach",
                 "groups": [], "user_permissions": [], "is_active": "on", "date_joined_0": "2025-01-01",
                 "date_joined_1": "10:00:00", "last_login_0": "", "last_login_1": ""})
    response = staff_client.post(url, data)
    assert response.status_code == 200 and "control characters" in response.content.decode()
    data["first_name"] = "Chris"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="admin.change", target_type="auth.user", target_id=str(world.coach.pk))
    assert event.after["first_name"] == "Chris" and event.after["password"] == "(hidden)"


def test_the_admin_explains_that_a_user_with_audit_rows_cannot_be_deleted(world, event, staff_client):
    url = reverse("admin:auth_user_delete", args=[world.clinician.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and "cannot delete user" in page.content.decode().lower()
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert world.clinician.__class__.objects.filter(pk=world.clinician.pk).exists()


def test_deactivating_an_organisation_in_the_admin_is_audited(world, staff_client):
    response = staff_client.post(reverse("admin:athletes_organisation_changelist"),
                                 {"action": "deactivate", "_selected_action": [world.other_org.pk]})
    assert response.status_code == 302
    world.other_org.refresh_from_db()
    assert not world.other_org.is_active
    assert AuditEvent.objects.filter(action="admin.deactivate", target_id=str(world.other_org.pk),
                                     organisation=world.other_org, actor=world.staff).exists()
