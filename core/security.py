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


# --- failed logins and lockouts: one audit row each ---------------------------------------------------------

def _where(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "web"


def _user_named(username):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: str(username)[:150]}).first()


def _organisation_of(user):
    if user is None:
        return None
    membership = user.memberships.select_related("organisation").order_by("id").first()
    return membership.organisation if membership else None


def _login_event(action: str, *, request, username, extra: dict | None = None):
    """An AuditEvent row for a login that failed or was locked out (no actor: nobody is logged in)."""
    from django.contrib.auth import get_user_model

    from .models import AuditEvent
    from .net import client_ip

    user = _user_named(username)
    AuditEvent.objects.create(
        actor=None, organisation=_organisation_of(user), action=action,
        target_type=get_user_model()._meta.label_lower, target_id=str(user.pk) if user else "",
        after={"username": str(username or "")[:150], "known_user": user is not None,
               "address": client_ip(request) if request is not None else None, "where": _where(request),
               **(extra or {})},
    )


def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username")
    _login_event("login.failed", request=request, username=username,
                 extra={"locked_out": bool(getattr(request, "axes_locked_out", False)),
                        "failures": getattr(request, "axes_failures_since_start", None)})
    from .net import client_ip

    logger.warning("login failed for %r from %s (%s)", str(username or "")[:150],
                   client_ip(request) if request is not None else "?", _where(request))


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    _login_event("login.lockout", request=request, username=username,
                 extra={"minutes": lockout_minutes(), "after_failures": settings.AXES_FAILURE_LIMIT})
    logger.warning("login locked out for %r from %s for %s minutes", str(username or "")[:150], ip_address,
                   lockout_minutes())


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    minutes = lockout_minutes()
    return (f"Too many wrong passwords for this username from your network, so logging in is paused for "
            f"{minutes} minutes. Wait {minutes} minutes, then try again. If you have forgotten your password, "
            "reset it from the login page; you can use the new one once the pause is over. If this was not you, "
            "tell your clinic's administrator.")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, in plain words."""
    from django.http import JsonResponse
    from django.shortcuts import render

    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if (getattr(request, "path", "") or "").startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    else:
        response = render(request, "registration/locked_out.html",
                          {"message": lockout_message(), "minutes": lockout_minutes()}, status=429)
    response["Retry-After"] = retry_after
    return response


def connect():
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from django.db.models.signals import post_save, pre_save

    from .middleware import stamp_login

    user_logged_in.connect(stamp_login, dispatch_uid="rehab_idle_clock_at_login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="rehab_audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="rehab_audit_locked_out")

    pre_save.connect(_note_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="rehab_password_change")
    post_save.connect(_revoke_tokens_after_password_change, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="rehab_password_change_tokens")
