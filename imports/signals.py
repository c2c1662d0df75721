"""A session logged after its speed was imported picks up the pending measurement, once the log is committed."""
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from sessions.models import SessionLog

from .models import PendingMeasurement
from .services import pending_measurements_apply


@receiver(post_save, sender=SessionLog, dispatch_uid="imports.pending_on_session_log")
def _session_logged(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    if PendingMeasurement.objects.filter(athlete_id=instance.athlete_id, date=instance.date, applied_at=None,
                                         cancelled_at=None).exists():
        log_id = instance.pk
        transaction.on_commit(lambda: _apply(log_id))


def _apply(log_id):
    pending_measurements_apply(session_log_id=log_id)
