"""Outbox handlers of the athletes app."""
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import outbox
from core.notifications import absolute_url, send_templated_email


@outbox.handler("athletes.send_invite")
def send_invite(payload: dict) -> None:
    """Email a new phone login its set-password link. The link works once (Django's reset token)."""
    user = get_user_model().objects.filter(pk=payload["user_id"]).first()
    if user is None or not user.email:
        return
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    send_templated_email(template="email/invite", subject="Your login for your rehab plan", to=[user.email],
                         context={"user": user, "link": absolute_url(path), "username": user.get_username(),
                                  "clinic": payload.get("clinic", "")})
