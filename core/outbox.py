"""The transactional outbox: side effects leave only after commit, and none is lost if the broker is down.

A change writes an `OutboxMessage` row in its own transaction (`enqueue`); once that transaction commits the
row is handed to Celery (`dispatch`). If the broker is down the publish fails fast, the row stays pending and
the periodic `redispatch_pending` (beat, every minute) hands it over again once the broker is back.

Delivery is at-least-once; handlers are made effectively-once by `deliver`: it locks the row, runs the handler
only while the row is pending, and marks it done in the same transaction. A duplicate task (a re-dispatch of a
row that was still queued, a worker that died after the handler but before the ack) finds the row done and
does nothing. The one window left is a handler whose external effect succeeds (the SMTP server accepted the
email) and whose transaction then fails to commit: that message would be sent again on the next attempt.
"""
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import clock

from .models import OutboxMessage

log = logging.getLogger(__name__)

HANDLERS: dict = {}
#: handler name -> fn(payload) -> the users to alert when one of its messages fails for good (see `failed`).
FAILURE_RECIPIENTS: dict = {}

#: After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = 10


def handler(name: str):
    """Register an idempotent outbox handler: `fn(payload: dict) -> None`."""
    def register(fn):
        HANDLERS[name] = fn
        return fn
    return register


def failure_recipients(name: str):
    """Register who is told when a message of handler `name` fails for good: `fn(payload) -> iterable of users`
    (usually the clinicians of the organisation the message was for). Staff are always told."""
    def register(fn):
        FAILURE_RECIPIENTS[name] = fn
        return fn
    return register


def _handler_for(name: str):
    """The handler registered under `name`, importing every app's `tasks` module on first need.

    Handlers live in `<app>/tasks.py`; a web process running Celery eagerly may not have imported them yet.
    """
    if name not in HANDLERS:
        autodiscover_modules("tasks")
    return HANDLERS.get(name)


def enqueue(handler_name: str, payload: dict, *, dedupe_key: str) -> OutboxMessage:
    """Write an outbox row in the current transaction and dispatch it once the transaction commits.

    The same `dedupe_key` twice returns the first row and dispatches nothing more.
    """
    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(handler=handler_name, payload=payload, dedupe_key=dedupe_key)
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Hand a message to Celery. A broker error leaves it pending for the periodic re-dispatch.

    Never raises: it runs in `on_commit`, after the user's change is saved, and must not turn a saved change
    into an error page. The broker settings make a publish to a dead broker fail within seconds.
    """
    from .tasks import deliver_outbox

    try:
        deliver_outbox.apply_async(args=[message_id], retry=False)
    except Exception as exc:  # the broker is down or unreachable: the row stays pending
        log.warning("outbox: could not dispatch message %s (%s); it stays pending", message_id, exc)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(dispatched_at=clock.now())
    return True


def deliver(message_id: int) -> str:
    """Run a message's handler once. Safe to call twice: a done message is skipped."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status != OutboxMessage.Status.PENDING or message.done_at is not None:
            return "skipped"  # delivered once: never again, whatever its status says
        fn = _handler_for(message.handler)
        message.attempts += 1
        if fn is None:
            # Possibly a worker older than the code that wrote the row: keep it pending for a while.
            message.last_error = f"no handler named {message.handler!r}"
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["status", "attempts", "last_error"])
            log.error("outbox: no handler named %r for message %s", message.handler, message.pk)
            if message.status == OutboxMessage.Status.FAILED:
                _alert_failed(message)
                return "failed"
            return "error"
        try:
            with transaction.atomic():
                fn(message.payload)
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["status", "attempts", "last_error"])
            log.exception("outbox: handler %s failed for message %s", message.handler, message.pk)
            if message.status == OutboxMessage.Status.FAILED:
                _alert_failed(message)
            return "error"
        message.status = OutboxMessage.Status.DONE
        message.done_at = clock.now()
        message.save(update_fields=["status", "attempts", "done_at"])
        return "done"


def retry_failed(message_id: int) -> bool:
    """Give a failed message another round of attempts (the admin's "retry" action). Never a delivered one."""
    return bool(OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.FAILED, done_at__isnull=True,
    ).update(status=OutboxMessage.Status.PENDING, attempts=0, dispatched_at=None))


#: The dedupe-key prefix of the notifications that say a message failed.
FAILED_ALERT_PREFIX = "outbox-failed:"


def _alert_failed(message: OutboxMessage) -> None:
    """A message has failed for good: tell the clinicians it concerns (FAILURE_RECIPIENTS) and every active staff
    user, in the app and by email. Never raises (the failure itself is already recorded).

    The email is safe to send: its subject is fixed text, and the message's own details go in the body. An alert
    whose own email fails is not emailed about again (no loop): that one stays in the app.
    """
    from django.contrib.auth import get_user_model

    from .notifications import notify

    try:
        with transaction.atomic():
            recipients = {}
            if message.handler not in FAILURE_RECIPIENTS:
                autodiscover_modules("tasks")  # the apps register their finders in their tasks modules
            finder = FAILURE_RECIPIENTS.get(message.handler)
            if finder is not None:
                for user in finder(message.payload) or ():
                    if user is not None and user.is_active:
                        recipients[user.pk] = user
            for user in get_user_model().objects.filter(is_active=True, is_staff=True):
                recipients.setdefault(user.pk, user)
            about_an_alert = _is_failure_alert_email(message)
            what = HANDLER_DESCRIPTIONS.get(message.handler, message.handler)
            for user in recipients.values():
                notify(
                    recipient=user, kind="delivery_failed", dedupe_key=f"{FAILED_ALERT_PREFIX}{message.pk}",
                    title=f"Not delivered after {message.attempts} attempts: {what}",
                    body=(f"Outbox message {message.pk} ({message.handler}) failed for good and will not be tried "
                          f"again unless staff retry it in the admin. Last error: {message.last_error[:500]}"),
                    url="", email=not about_an_alert,
                )
    except Exception:  # an alert must never undo the failure record
        log.exception("outbox: could not alert anyone about failed message %s", message.pk)


HANDLER_DESCRIPTIONS = {
    "core.send_notification_email": "an alert email",
    "athletes.send_invite": "a login invitation (athlete or coach)",
    "sessions.send_morning_reminder": "a next-morning reminder",
    "progression.send_weekly_prescription": "a coach's weekly prescription",
    "progression.nightly_fan_out": "the nightly re-evaluation",
}


def _is_failure_alert_email(message: OutboxMessage) -> bool:
    if message.handler != "core.send_notification_email":
        return False
    from .models import Notification

    note_id = (message.payload or {}).get("notification_id")
    return Notification.objects.filter(pk=note_id, dedupe_key__startswith=FAILED_ALERT_PREFIX).exists()


def retry_delay_seconds(attempts: int, *, base: int = 60) -> int:
    """How long a message that has failed `attempts` times waits before the next try: doubling, at most an hour."""
    return min(base * 2 ** max(attempts - 1, 0), 3600)


def redispatch_pending(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Dispatch again what is still pending (the broker was down, a worker died, or a handler failed).

    A row is re-sent once it is `older_than_seconds` old and was not handed to the broker within that time,
    so a message still waiting in the queue is not piled up once a minute; a row whose handler failed waits
    longer after each failure (`retry_delay_seconds`). Stops at the first broker error: the broker is down and
    the next run will try again. Returns the number of messages dispatched.
    """
    now = clock.now()
    cutoff = now - timezone.timedelta(seconds=older_than_seconds)
    rows = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=cutoff))
        .order_by("created_at", "id")
        .values_list("pk", "attempts", "dispatched_at")[:limit]
    )
    sent = 0
    for pk, attempts, dispatched_at in rows:
        waiting = now - dispatched_at if dispatched_at is not None else None
        if attempts and waiting is not None and older_than_seconds > 0 and (
            waiting < timezone.timedelta(seconds=retry_delay_seconds(attempts, base=older_than_seconds))
        ):
            continue
        if not dispatch(pk):
            break
        sent += 1
    return sent
