"""Personal API tokens (DRF's authtoken): a clinician creates, rotates and revokes their own.

A token is a password: the audit trail records that it was created or revoked, never its key.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from .access import access_for
from .audit import audit_record


def _require_clinician(actor):
    if not access_for(actor).is_clinician:
        raise PermissionDenied("Only clinicians can have an API token.")


@transaction.atomic
def api_token_create(*, actor) -> Token:
    """A new token for the actor. An existing one is revoked first: a rotation."""
    _require_clinician(actor)
    # Concurrent creates for one user queue on the user's row (was an IntegrityError 500 on the token's unique user).
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    rotated = Token.objects.filter(user=actor).delete()[0] > 0
    token = Token.objects.create(user=actor)
    audit_record(actor=actor, action="api_token.rotate" if rotated else "api_token.create", target=actor,
                 after={"created": token.created.isoformat()})
    return token


@transaction.atomic
def api_token_revoke(*, actor) -> bool:
    """Revoke the actor's token. True when there was one."""
    _require_clinician(actor)
    deleted = Token.objects.filter(user=actor).delete()[0] > 0
    if deleted:
        audit_record(actor=actor, action="api_token.revoke", target=actor)
    return deleted


def api_token_get(*, user) -> Token | None:
    """The user's token row (for its creation date), if there is one."""
    return Token.objects.filter(user=user).first()
