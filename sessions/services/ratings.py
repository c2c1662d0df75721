"""Technique ratings: the checklist score becomes the session's technique; voids fall back to the ratings that
stand."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.audit import audit_record, snapshot

from ..checklists import CHECKLISTS, checklist_for_phase
from ..checklists import score as checklist_score
from ..models import SessionLog, TechniqueRating
from .ownership import (
    CLINICIAN,
    COACH,
    _require_reason,
    _require_role,
)

# --- technique ratings ----------------------------------------------------------------------------------------

def _session_technique_from_ratings(log: SessionLog) -> tuple:
    """The session's technique scores from its ratings that stand: the latest rating's score; fresh and fatigued
    from the latest rating that scored them (a re-rating without them keeps the earlier ones)."""
    ratings = list(log.technique_ratings.filter(voided_at__isnull=True).order_by("-rated_at", "-id"))
    if not ratings:
        return None, None, None
    split = next((r for r in ratings if r.fresh_pct is not None and r.fatigued_pct is not None), None)
    return ratings[0].score, split.fresh_pct if split else None, split.fatigued_pct if split else None


def _refresh_session_technique(actor, log: SessionLog, rating_pk, action: str) -> None:
    log = SessionLog.objects.select_for_update().get(pk=log.pk)
    before = snapshot(log, ["technique", "technique_fresh", "technique_fatigued"])
    log.technique, log.technique_fresh, log.technique_fatigued = _session_technique_from_ratings(log)
    log.full_clean(exclude=["client_id"])
    log.save(update_fields=["technique", "technique_fresh", "technique_fatigued"])
    audit_record(actor=actor, action=action, target=log, before=before,
                 after={**snapshot(log, ["technique", "technique_fresh", "technique_fatigued"]), "rating": rating_pk})


@transaction.atomic
def technique_rate(*, actor, session_log: SessionLog, kind: str | None = None, items_correct=(), fresh_pct=None,
                   fatigued_pct=None, video=None, video_url: str = "", notes: str = "", now=None) -> TechniqueRating:
    """A coach's (or clinician's) technique rating. The checklist score becomes the session's `technique`; the
    fresh / fatigued scores its `technique_fresh` / `technique_fatigued` (kept from an earlier rating when this
    one does not score them)."""
    athlete = session_log.athlete
    _require_role(actor, athlete, CLINICIAN, COACH, message="Only the athlete's coach or clinician can rate technique.")
    if session_log.is_void:
        raise ValidationError("This session was voided: it cannot be rated.")
    kind = kind or checklist_for_phase(session_log.phase)
    if kind not in CHECKLISTS:
        raise ValidationError({"kind": "Choose the drill checklist or the S-MAS."})
    if (fresh_pct is None) != (fatigued_pct is None):
        raise ValidationError({"fatigued_pct" if fatigued_pct is None else "fresh_pct":
                               "Score both the first and the last reps, or neither."})
    try:
        value = checklist_score(kind, items_correct)
    except ValueError as exc:
        raise ValidationError({"items_correct": str(exc)}) from None
    rating = TechniqueRating(
        session_log=session_log, kind=kind, items_correct=sorted(set(items_correct)), score=value,
        fresh_pct=fresh_pct, fatigued_pct=fatigued_pct, video=video or "", video_url=video_url or "", notes=notes,
        rated_by=actor, rated_at=now or clock.now(),
    )
    rating.full_clean()
    rating.save()
    audit_record(actor=actor, action="technique_rating.create", target=rating, after=snapshot(rating))
    _refresh_session_technique(actor, session_log, rating.pk, "session_log.rate_technique")
    return rating


@transaction.atomic
def technique_rating_void(*, actor, rating: TechniqueRating, reason: str, now=None) -> TechniqueRating:
    """Void a rating given in error (the coach who gave it, or a clinician); the session's scores fall back to
    the ratings that stand."""
    rating = TechniqueRating.objects.select_for_update().select_related("session_log__athlete__organisation").get(pk=rating.pk)
    role = _require_role(actor, rating.session_log.athlete, CLINICIAN, COACH,
                         message="Only the athlete's coach or clinician can void a rating.")
    if role == COACH and rating.rated_by_id != getattr(actor, "pk", None):
        raise PermissionDenied("A coach can void only their own ratings; ask a clinician.")
    reason = _require_reason(reason)
    if rating.is_void:
        return rating
    rating.voided_at, rating.voided_by, rating.void_reason = now or clock.now(), actor, reason
    rating.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="technique_rating.void", target=rating, before={"voided_at": None},
                 after={"voided_at": rating.voided_at.isoformat(), "reason": reason})
    _refresh_session_technique(actor, rating.session_log, rating.pk, "session_log.rate_technique")
    return rating
