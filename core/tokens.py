"""Personal API tokens (django-rest-knox): a clinician creates, rotates and revokes their own.

A token is a password. Only its SHA-512 digest is stored (knox), so neither the database nor the admin can show
it again: the key is shown once, in the answer that creates it. Every token expires (`REST_KNOX["TOKEN_TTL"]`,
90 days unless `API_TOKEN_TTL_DAYS` says otherwise) and is revoked when its owner's password changes and by
"log out everywhere". The audit trail records that a token was created, rotated or revoked, never its key.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from knox.models import AuthToken

from .access import access_for
from .audit import audit_record


def _require_clinician(actor):
    if not access_for(actor).is_clinician:
        raise PermissionDenied("Only clinicians can have an API token.")


@transaction.atomic
def api_token_create(*, actor) -> tuple[AuthToken, str]:
    """A new token for the actor: (its row, its key). An existing one is revoked first: a rotation.

    The key exists only in the return value; the row holds its digest.
    """
    _require_clinician(actor)
    # Concurrent creates for one user queue on the user's row (was an IntegrityError 500 on the token's unique user).
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    rotated = AuthToken.objects.filter(user=actor).delete()[0] > 0
    token, key = AuthToken.objects.create(user=actor)
    audit_record(actor=actor, action="api_token.rotate" if rotated else "api_token.create", target=actor,
                 after={"created": token.created.isoformat(),
                        "expires": token.expiry.isoformat() if token.expiry else None})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor) -> bool:
    """Revoke the actor's token. True when there was one."""
    _require_clinician(actor)
    deleted = AuthToken.objects.filter(user=actor).delete()[0] > 0
    if deleted:
        audit_record(actor=actor, action="api_token.revoke", target=actor)
    return deleted


@transaction.atomic
def api_tokens_revoke_all(*, user, actor=None, reason: str) -> int:
    """Revoke every token of `user` (any role): on a password change and on "log out everywhere"."""
    deleted = AuthToken.objects.filter(user=user).delete()[0]
    if deleted:
        audit_record(actor=actor, action="api_token.revoke_all", target=user, after={"reason": reason, "count": deleted})
    return deleted


def api_token_get(*, user) -> AuthToken | None:
    """The user's token row (for its creation and expiry dates), if there is one that has not expired."""
    from core import clock

    return AuthToken.objects.filter(user=user).exclude(expiry__lt=clock.now()).order_by("-created").first()
