"""Celery tasks of the core app: outbox delivery, its periodic re-dispatch, and the notification email."""
import datetime

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import clock

from . import outbox
from .models import Notification
from .notifications import absolute_url, send_templated_email


def task_now(now=None) -> datetime.datetime:
    """The moment a periodic task acts for: beat sends none (now); tests and manual re-runs pass an aware ISO
    datetime or a datetime."""
    if now is None:
        return clock.now()
    if isinstance(now, str):
        now = parse_datetime(now)
    if now is None or timezone.is_naive(now):
        raise ValueError("now must be an ISO datetime with a time zone")
    return now


@shared_task(name="core.deliver_outbox", acks_late=True)
def deliver_outbox(message_id: int) -> str:
    """Run one outbox message's handler. Idempotent: a message already done is skipped."""
    return outbox.deliver(message_id)


@shared_task(name="core.redispatch_outbox")
def redispatch_outbox() -> int:
    """Beat, every minute: hand to the broker again what is still pending."""
    return outbox.redispatch_pending()


@outbox.handler("core.send_notification_email")
def send_notification_email(payload: dict) -> None:
    """Email an in-app notification to its recipient (alerts, escalations). Runs at most once per message."""
    note = (
        Notification.objects.select_related("recipient", "plan__injury__athlete")
        .filter(pk=payload["notification_id"]).first()
    )
    if note is None or not note.recipient.email:
        return
    athlete = note.plan.injury.athlete if note.plan_id else None
    send_templated_email(
        template="email/notification", subject=note.title, to=[note.recipient.email],
        context={"note": note, "athlete": athlete, "recipient": note.recipient, "link": absolute_url(note.url),
                 "notifications_link": absolute_url(reverse("notifications"))},
    )
