"""Outbox handlers of the athletes app."""
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import outbox
from core.models import Notification
from core.notifications import absolute_url, send_templated_email


@outbox.handler("athletes.send_invite")
def send_invite(payload: dict) -> None:
    """Email a new login its set-password link (an athlete's phone login, or a coach's with `role: coach`). The
    link works once (Django's reset token)."""
    user = get_user_model().objects.filter(pk=payload["user_id"]).first()
    if user is None or not user.email:
        return
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    coach = payload.get("role") == "coach"
    send_templated_email(template="email/invite_coach" if coach else "email/invite",
                         subject="Your coach's login" if coach else "Your login for your rehab plan", to=[user.email],
                         context={"user": user, "link": absolute_url(path), "username": user.get_username(),
                                  "clinic": payload.get("clinic", "")})


# --- who is told when a message fails for good (core.outbox._alert_failed) -----------------------------------

def clinicians_of_organisations(organisation_ids) -> list:
    """The active clinicians of these (active) organisations."""
    from .models import Role

    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.CLINICIAN, memberships__organisation_id__in=list(organisation_ids),
        memberships__organisation__is_active=True, memberships__is_active=True,
    ).distinct())


def _organisations_of_user(user_id) -> list:
    from .models import Membership

    return list(Membership.objects.filter(user_id=user_id).values_list("organisation_id", flat=True))


@outbox.failure_recipients("athletes.send_invite")
def _invite_failed(payload: dict):
    return clinicians_of_organisations(_organisations_of_user(payload.get("user_id")))


@outbox.failure_recipients("core.send_notification_email")
def _notification_email_failed(payload: dict):

    note = Notification.objects.filter(pk=payload.get("notification_id")).select_related("recipient").first()
    if note is None:
        return []
    return [note.recipient, *clinicians_of_organisations(_organisations_of_user(note.recipient_id))]
