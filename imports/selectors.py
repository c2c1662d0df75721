"""Reads for the import pages and the API, scoped to the clinician's organisations (anything else: NotFound)."""
from django.db.models import QuerySet

from core.access import access_for
from core.exceptions import NotFound

from .models import ColumnMapping, ImportBatch, VmaxProposal


def _org_ids(user):
    access = access_for(user)
    return None if access.is_staff else access.clinician_org_ids


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    org_ids = _org_ids(user)
    qs = ImportBatch.objects.select_related("created_by", "confirmed_by", "organisation").defer("rows")
    return qs if org_ids is None else qs.filter(organisation_id__in=org_ids)


def import_batch_get(*, user, pk) -> ImportBatch:
    org_ids = _org_ids(user)
    qs = ImportBatch.objects.select_related("created_by", "confirmed_by", "undone_by", "organisation")
    if org_ids is not None:
        qs = qs.filter(organisation_id__in=org_ids)
    batch = qs.filter(pk=pk).first()
    if batch is None:
        raise NotFound("No such import.")
    return batch


def column_mapping_list(*, user) -> QuerySet[ColumnMapping]:
    org_ids = _org_ids(user)
    return ColumnMapping.objects.all() if org_ids is None else ColumnMapping.objects.filter(organisation_id__in=org_ids)


def column_mapping_get(*, user, pk) -> ColumnMapping:
    mapping = column_mapping_list(user=user).filter(pk=pk).first()
    if mapping is None:
        raise NotFound("No such column mapping.")
    return mapping


def vmax_proposal_list(*, user, batch=None) -> QuerySet[VmaxProposal]:
    org_ids = _org_ids(user)
    qs = VmaxProposal.objects.select_related("athlete")
    if org_ids is not None:
        qs = qs.filter(organisation_id__in=org_ids)
    return qs.filter(batch=batch) if batch is not None else qs


def vmax_proposal_get(*, user, pk) -> VmaxProposal:
    proposal = vmax_proposal_list(user=user).filter(pk=pk).first()
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal
