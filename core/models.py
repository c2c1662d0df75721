"""Cross-cutting records: the audit trail and the clinician's in-app notifications."""
from django.conf import settings
from django.db import models

from core import clock

from .jsonsafe import JSONEncoder


class AuditEvent(models.Model):
    """One state change: who did what to which record, and the record before and after."""

    # PROTECT, not SET_NULL / CASCADE: the trail is append-only (a database trigger refuses UPDATE and DELETE,
    # see migration 0004), so a user or an organisation that an audit row names cannot be deleted. Deactivate
    # them instead (User.is_active, Organisation.is_active).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "athletes.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(encoder=JSONEncoder, null=True, blank=True)
    after = models.JSONField(encoder=JSONEncoder, null=True, blank=True)
    at = models.DateTimeField(default=clock.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class Notification(models.Model):
    """Something a user must see in the app (and, for some kinds, by email)."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", "Red flag"
        REGRESS = "regress", "Regression"
        SIGNOFF = "signoff", "Awaiting sign-off"
        ESCALATION = "escalation", "Sign-off overdue"
        MISSING_REPORT = "missing_report", "Missing next-morning report"
        NOTE = "note", "New note"
        DELIVERY_FAILED = "delivery_failed", "Message not delivered"
        INFO = "info", "Information"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    plan = models.ForeignKey("progression.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200, blank=True, help_text="Sending twice creates one notification.")
    topic = models.CharField(max_length=64, blank=True, db_index=True,
                             help_text='What the alert is about ("decision:12"): resolving the topic closes it.')
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Closed: the decision it asked about was "
                                       "signed, rejected, overridden or superseded.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_unique_dedupe_key",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class OutboxMessage(models.Model):
    """A side effect (email, task) written in the same transaction as the change that causes it.

    Dispatched to Celery on commit; a periodic task re-dispatches what is still pending, so a broker
    outage delays side effects but loses none. Handlers are idempotent: `dedupe_key` is unique and a
    delivered message is never delivered again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    handler = models.CharField(max_length=100)
    payload = models.JSONField(encoder=JSONEncoder, default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.handler} [{self.status}]"
