"""Clinical assessments: created, corrected (the LSI recomputed) or voided."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.access import access_for
from core.audit import audit_record, audit_record_many, snapshot

from ..models import Assessment
from .ownership import (
    ASSESSMENT_FIELDS,
    _apply_correction,
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
    _apply_correction(assessment, changed, actor=actor, action="assessment.correct", reason=reason, now=now,
                      also=["strength_lsi"])  # recomputed from the forces
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


@transaction.atomic
def assessments_create_many(*, actor, items, now=None) -> list[Assessment]:
    """Many assessments at once (a device file of thousands of tests): `items` is (injury, plan, fields) each.

    Each is checked as `assessment_create` checks one (who may, which fields, the ranges, the model's own rules and
    the LSI computed), except that the CHECK constraints are left to the database, which enforces them on one bulk
    insert, instead of one query per constraint per row; an audit event each."""
    allowed = {}
    assessments = []
    for index, (injury, plan, fields) in enumerate(items):
        try:
            assessments.append(_one_of_many(actor, injury, plan, fields, allowed, now))
        except ValidationError as exc:
            exc.item_index = index  # the caller names its line
            raise
    Assessment.objects.bulk_create(assessments, batch_size=500)
    audit_record_many(actor=actor, action="assessment.create", entries=[(a, snapshot(a)) for a in assessments])
    return assessments


def _one_of_many(actor, injury, plan, fields, allowed, now) -> Assessment:
    _check_fields(fields, ASSESSMENT_FIELDS, "assessment")
    org_id = injury.athlete.organisation_id
    if org_id not in allowed:
        allowed[org_id] = access_for(actor).can_manage_org(org_id)
    if not allowed[org_id]:
        raise PermissionDenied("Only a clinician of this organisation can record assessments.")
    if plan is not None and plan.injury_id != injury.pk:
        raise ValidationError({"plan": "This plan follows another injury."})
    assessment = Assessment(injury=injury, plan=plan, clinician=actor,
                            recorded_on=_local_date(injury.athlete, now), **fields)
    # The injury, plan and clinician are the objects in hand: no query to check that they exist.
    assessment.full_clean(exclude=["injury", "plan", "clinician"], validate_constraints=False)
    return assessment
