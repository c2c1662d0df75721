"""Large imports confirm in the background; the page polls the progress."""
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import Conflict

from .models import ImportBatch
from .services import import_confirm, import_mark_failed

log = logging.getLogger(__name__)


@shared_task(name="imports.confirm")
def import_confirm_task(batch_id: int, actor_id: int) -> int:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if batch is None or actor is None:
        return 0
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(status=ImportBatch.Status.RUNNING)
    try:
        batch.status = ImportBatch.Status.RUNNING
        done = import_confirm(actor=actor, batch=batch, queued=True)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
        import_mark_failed(batch_id=batch_id, message=message)
        return 0
    except Exception:
        log.exception("import %s failed", batch_id)
        import_mark_failed(batch_id=batch_id, message="The import failed unexpectedly; nothing was written.")
        raise
    return done.rows_written
