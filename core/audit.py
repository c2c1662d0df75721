"""Writing the audit trail. Services call `audit_record` inside their transaction.

The trail is append-only: a database trigger (migration core 0007) refuses every UPDATE and DELETE of an
audit row, on PostgreSQL and on SQLite; the admin shows the rows read-only; the users and organisations they
name cannot be deleted (PROTECT). The one way round it on SQLite is `manage.py flush` (which empties the whole
database, as the test suite does between transactional tests): see `flushing()`. On PostgreSQL flush uses
TRUNCATE, which row triggers do not see; nothing in the app truncates.
"""
import contextlib
import threading

from django.db import models

from .jsonsafe import to_json_safe
from .models import AuditEvent


def snapshot(instance: models.Model | None, fields: list[str] | None = None) -> dict | None:
    """A JSON-safe dict of a model instance's concrete fields (foreign keys as ids)."""
    if instance is None:
        return None
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        data[field.attname] = value
    return to_json_safe(data)


#: `audit_record(organisation=NO_ORGANISATION)`: an event that names no organisation (e.g. the deletion of one).
NO_ORGANISATION = object()


def audit_record(*, actor, action: str, target: models.Model, before: dict | None = None,
                 after: dict | None = None, organisation=None) -> AuditEvent:
    if organisation is NO_ORGANISATION:
        organisation = None
    elif organisation is None:
        organisation = getattr(target, "audit_organisation", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=to_json_safe(before),
        after=to_json_safe(after),
    )


def audit_record_many(*, actor, action: str, entries) -> list[AuditEvent]:
    """One event per (target, after) in `entries`, written in one bulk insert (a device import of thousands of
    readings). The same rows as `audit_record` would write one by one."""
    events = [
        AuditEvent(actor=actor if getattr(actor, "is_authenticated", False) else None,
                   organisation=getattr(target, "audit_organisation", None), action=action,
                   target_type=target._meta.label_lower, target_id=str(target.pk), before=None,
                   after=to_json_safe(after))
        for target, after in entries
    ]
    return AuditEvent.objects.bulk_create(events, batch_size=500)


# --- the SQLite flush exception ------------------------------------------------------------------------------

_state = threading.local()

#: The SQL function the SQLite triggers call: true only while `flushing()` is active on this thread.
SQLITE_FLUSH_FUNCTION = "rehab_audit_flushing"


@contextlib.contextmanager
def flushing():
    """Let `manage.py flush` empty the audit table on SQLite (its DELETE FROM would hit the trigger)."""
    previous = getattr(_state, "flushing", False)
    _state.flushing = True
    try:
        yield
    finally:
        _state.flushing = previous


def _sqlite_flushing() -> int:
    return 1 if getattr(_state, "flushing", False) else 0


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give every SQLite connection the function the audit triggers call.

    A connection without it (the sqlite3 shell, another program) cannot delete audit rows either: the trigger
    fails with "no such function".
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FLUSH_FUNCTION, 0, _sqlite_flushing)
