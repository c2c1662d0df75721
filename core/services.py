"""Writes of the core app."""

from core import clock

from .models import Notification


def notifications_mark_read(*, actor) -> int:
    """Mark the actor's unread notifications as read; returns how many. Only one's own can be marked."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())
