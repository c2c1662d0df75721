"""Writing the audit trail. Services call `audit_record` inside their transaction."""
import datetime
import decimal
import uuid

from django.db import models
from django.db.models.fields.files import FieldFile

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
        data[field.attname] = _jsonable(value)
    return data


def _jsonable(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def audit_record(*, actor, action: str, target: models.Model, before: dict | None = None,
                 after: dict | None = None, organisation=None) -> AuditEvent:
    if organisation is None:
        organisation = getattr(target, "audit_organisation", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
    )
