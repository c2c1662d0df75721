"""Account security that no single view owns: token revocation on a password change, "log out everywhere",
the audit rows for failed logins and lockouts, and the lockout answer itself.

Connected in `CoreConfig.ready()`.
"""
import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("rehab.security")


# --- a changed password revokes the user's API tokens ---------------------------------------------------------

def _note_password_change(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._rehab_password_changed = old is not None and old != instance.password


def _revoke_tokens_after_password_change(sender, instance, created=False, **kwargs):
    if not getattr(instance, "_rehab_password_changed", False):
        return
    instance._rehab_password_changed = False
    from .tokens import api_tokens_revoke_all

    api_tokens_revoke_all(user=instance, reason="password changed")


# --- log out everywhere ---------------------------------------------------------------------------------------

def sessions_of(user):
    """The live sessions (database backend) that belong to `user`."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    from core import clock

    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            yield session


@transaction.atomic
def logout_everywhere(*, actor) -> dict:
    """End every session of the actor (this one included) and revoke every API token they have."""
    from .audit import audit_record
    from .tokens import api_tokens_revoke_all

    keys = [session.session_key for session in sessions_of(actor)]
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()
    tokens = api_tokens_revoke_all(user=actor, actor=actor, reason="log out everywhere")
    audit_record(actor=actor, action="account.logout_everywhere", target=actor,
                 after={"sessions": len(keys), "tokens": tokens})
    return {"sessions": len(keys), "tokens": tokens}


def connect():
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(_note_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="rehab_password_change")
    post_save.connect(_revoke_tokens_after_password_change, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="rehab_password_change_tokens")
