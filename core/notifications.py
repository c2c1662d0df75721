"""Recording notifications, and the templated emails that carry them. Delivery leaves through the outbox."""
import contextlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .models import Notification
from .validation import header_safe


def notify(*, recipient, kind: str, title: str, body: str = "", url: str = "", plan=None, dedupe_key: str = "",
           topic: str = "", email: bool = False) -> Notification:
    """Create an in-app notification once per (recipient, dedupe_key).

    With `email=True` an outbox row is written in the same transaction; the email leaves after commit
    (`core.tasks.send_notification_email`), at most once per notification.
    """
    if dedupe_key:
        existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            note = Notification.objects.create(recipient=recipient, kind=kind, title=title[:200], body=body,
                                               url=url, plan=plan, dedupe_key=dedupe_key, topic=topic)
    except IntegrityError:
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)
    if email:
        from .outbox import enqueue

        enqueue("core.send_notification_email", {"notification_id": note.pk}, dedupe_key=f"email:{note.pk}")
    return note


def resolve_topic(topic: str, *, now=None) -> int:
    """Close every open alert about `topic` (for example "decision:12" once it is signed, rejected, overridden or
    superseded): it leaves the badge's count. Returns how many were closed."""
    from . import clock

    return Notification.objects.filter(topic=topic, resolved_at__isnull=True).update(resolved_at=now or clock.now())


def absolute_url(path: str) -> str:
    """A link for an email: the site's public address (SITE_URL) and a path."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def send_templated_email(*, template: str, subject: str, to: list[str], context: dict,
                         attachments: list[tuple[str, str | bytes, str]] = ()) -> int:
    """Send `templates/<template>.txt` (and `<template>.html` as an alternative, if it exists).

    `attachments` are (filename, content, mimetype). Returns the number of messages sent (0 or 1).
    """
    context = {"app_name": settings.APP_NAME, "site_url": settings.SITE_URL.rstrip("/"), **context}
    text = render_to_string(f"{template}.txt", context)
    # Headers are built from cleaned text only: a newline left in a name (an old row, the admin) would make
    # Django refuse the whole email (BadHeaderError) and the outbox would end up giving up on it.
    message = EmailMultiAlternatives(subject=header_safe(f"[{settings.APP_NAME}] {subject}", 250), body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[header_safe(address) for address in to])
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(header_safe(filename), content, mimetype)
    return message.send()
