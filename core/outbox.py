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

#: After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = 10


def handler(name: str):
    """Register an idempotent outbox handler: `fn(payload: dict) -> None`."""
    def register(fn):
        HANDLERS[name] = fn
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
        if message.status != OutboxMessage.Status.PENDING:
            return "skipped"
        fn = _handler_for(message.handler)
        message.attempts += 1
        if fn is None:
            # Possibly a worker older than the code that wrote the row: keep it pending for a while.
            message.last_error = f"no handler named {message.handler!r}"
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["status", "attempts", "last_error"])
            log.error("outbox: no handler named %r for message %s", message.handler, message.pk)
            return "failed" if message.status == OutboxMessage.Status.FAILED else "error"
        try:
            with transaction.atomic():
                fn(message.payload)
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["status", "attempts", "last_error"])
            log.exception("outbox: handler %s failed for message %s", message.handler, message.pk)
            return "error"
        message.status = OutboxMessage.Status.DONE
        message.done_at = clock.now()
        message.save(update_fields=["status", "attempts", "done_at"])
        return "done"


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
