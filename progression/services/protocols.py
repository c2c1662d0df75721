"""Protocols are data, versioned: a save always makes a new version (a plan keeps the one it started with)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.audit import audit_record
from core.exceptions import Conflict
from core.validation import check_no_nul

from .. import engine
from ..engine_io import (
    to_json_safe,
)
from ..models import Phase, Protocol
from ..protocol_editing import protocol_changes
from ..selectors import protocol_edit_slug, protocol_latest
from .base import _require_clinician


@transaction.atomic
def protocol_create(*, actor, definition: dict, organisation=None, parent=None) -> Protocol:
    """Store a protocol version and its Phase rows. The definition is validated by the engine first."""
    check_no_nul(definition, field="definition")  # PostgreSQL cannot store NUL characters
    try:
        parsed = engine.protocol_from_dict(definition)
    except engine.ProtocolError as exc:
        raise ValidationError({"definition": str(exc)}) from None
    protocol = Protocol(
        organisation=organisation, slug=parsed.slug, version=parsed.version, name=parsed.name,
        description=getattr(parsed, "description", "") or "", definition=to_json_safe(definition),
        parent=parent, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    protocol.full_clean(validate_unique=False, validate_constraints=False)  # the database decides races: see below
    try:
        with transaction.atomic():
            protocol.save()
    except IntegrityError:
        raise Conflict(f"Version {parsed.version} of {parsed.slug} was saved by someone else a moment ago. "
                       "Reload the protocol and make your change again.") from None
    Phase.objects.bulk_create(phase_rows(protocol, parsed))
    after = {"slug": protocol.slug, "version": protocol.version, "parent": parent.pk if parent else None}
    if parent is not None:
        after["changes"] = protocol_changes(to_json_safe(parent.definition), protocol.definition)
    audit_record(actor=actor, action="protocol.create", target=protocol, after=after)
    return protocol


def phase_rows(protocol: Protocol, parsed) -> list[Phase]:
    data = to_json_safe(engine.protocol_to_dict(parsed))
    rows = []
    for raw in data["phases"]:
        spw = raw.get("sessions_per_week") or {}
        rows.append(Phase(
            protocol=protocol, number=raw["number"], name=raw["name"], focus=raw.get("focus", ""),
            description=raw.get("description", ""), sessions_per_week_min=spw.get("min", 2),
            sessions_per_week_max=spw.get("max", 3), exit_criteria=raw.get("exit", {}),
            prescription={k: raw[k] for k in raw if k not in {"number", "name", "focus", "description", "exit"}},
        ))
    return rows


@transaction.atomic
def protocol_new_version(*, actor, protocol: Protocol, definition: dict, base_version: int, organisation=None,
                         slug=None) -> Protocol:
    """Clone or edit: a new row, never a change to an existing one (a plan may be using it).

    A built-in protocol is cloned into the clinician's organisation under a new slug; an organisation's own
    protocol gets the next version number under the same slug.

    `base_version` is the newest version of that slug the editor started from (selectors.protocol_edit_base when
    the page was rendered; 0 when there was none). If someone saved a newer version since, this is a Conflict:
    the new version would silently lack their change. Two saves from the same base at the same moment both aim at
    the same version number, and the unique (slug, version) constraint lets only one of them through.
    """
    organisation = organisation or protocol.organisation
    if organisation is None:
        raise ValidationError("Choose the organisation that will own the copy.")
    _require_clinician(actor, organisation.pk)
    if protocol.organisation_id not in (None, organisation.pk):
        raise PermissionDenied("This protocol belongs to another organisation.")
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        raise ValidationError({"base_version": "The version you started from is missing: open the protocol again."})
    target = slug or protocol_edit_slug(protocol=protocol, organisation=organisation)
    latest = protocol_latest(slug=target)
    newest = latest.version if latest else 0
    if base_version < newest:
        raise Conflict(_stale_protocol_message(protocol, newest), current=latest)
    if base_version > newest:
        raise ValidationError({"base_version": f"There is no version {base_version} of {target} yet: the newest is "
                                               f"{newest}. Open the protocol again."})
    definition = dict(definition)
    definition["slug"], definition["version"] = target, newest + 1
    try:
        return protocol_create(actor=actor, definition=definition, organisation=organisation, parent=protocol)
    except Conflict:
        # Someone saved from the same base a moment ago: theirs won the version number.
        raise Conflict(_stale_protocol_message(protocol, newest + 1),
                       current=protocol_latest(slug=target)) from None


def _stale_protocol_message(protocol: Protocol, saved_version: int) -> str:
    if protocol.organisation_id is None:
        return (f"Someone saved version {saved_version} of your organisation's copy of this protocol while you were "
                f"editing: open version {saved_version} and make your change again.")
    return (f"Someone saved version {saved_version} of this protocol while you were editing version "
            f"{protocol.version}: open version {saved_version} and make your change again.")
