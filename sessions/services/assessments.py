"""Clinical assessments: created, corrected (the LSI recomputed) or voided."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot

from ..models import Assessment
from .ownership import (
    ASSESSMENT_FIELDS,
    _changes,
    _check_fields,
    _local_date,
    _require_reason,
)

# --- assessments ----------------------------------------------------------------------------------------------

@transaction.atomic
def assessment_create(*, actor, injury, plan=None, now=None, **fields) -> Assessment:
    """A clinical assessment of an injury (in `plan`, the injury's open plan, if any)."""
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    if not access_for(actor).can_manage_org(injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can record assessments.")
    if plan is not None and plan.injury_id != injury.pk:
        raise ValidationError({"plan": "This plan follows another injury."})
    assessment = Assessment(injury=injury, plan=plan, clinician=actor, recorded_on=_local_date(injury.athlete, now),
                            **fields)
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="assessment.create", target=assessment, after=snapshot(assessment))
    return assessment


@transaction.atomic
def assessment_correct(*, actor, assessment: Assessment, reason: str, now=None, **fields) -> tuple[Assessment, dict]:
    """Correct an assessment (a clinician, with a reason); the LSI is recomputed."""
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    assessment = Assessment.objects.select_for_update().select_related("injury__athlete__organisation").get(pk=assessment.pk)
    if not access_for(actor).can_manage_org(assessment.injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can correct assessments.")
    if assessment.is_void:
        raise ValidationError("This assessment was voided: there is nothing to correct.")
    reason = _require_reason(reason)
    changed = _changes(assessment, fields)
    if not changed:
        return assessment, {}
    names = list(changed) + ["strength_lsi"]
    before = snapshot(assessment, names)
    for name, value in changed.items():
        setattr(assessment, name, value)
    assessment.corrected_at = now or clock.now()
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action="assessment.correct", target=assessment, before=before,
                 after={**snapshot(assessment, names), "reason": reason})
    return assessment, changed


@transaction.atomic
def assessment_void(*, actor, assessment: Assessment, reason: str, now=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("injury__athlete__organisation").get(pk=assessment.pk)
    if not access_for(actor).can_manage_org(assessment.injury.athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can void assessments.")
    reason = _require_reason(reason)
    if assessment.is_void:
        return assessment
    assessment.voided_at, assessment.voided_by, assessment.void_reason = now or clock.now(), actor, reason
    assessment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="assessment.void", target=assessment, before={"voided_at": None},
                 after={"voided_at": assessment.voided_at.isoformat(), "reason": reason})
    return assessment
