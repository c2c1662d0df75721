"""Device imports, for clinicians: upload a file, see the preview (each line's athlete, what will be written, and
why a line will not be), confirm (one transaction; large files in the background with a progress bar), undo (a
correction). Column mappings for other devices; Vmax proposals from measured speeds."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from athletes import selectors as athlete_selectors
from core.exceptions import Conflict
from imports import selectors, services
from imports.models import ImportBatch

from ...forms import ReasonForm
from ...pages import role_required, run_service
from ..forms import ColumnMappingForm, ImportUploadForm

PREVIEW_LINES = 500


def _organisation(request):
    organisation = athlete_selectors.managed_organisations(user=request.user).first()
    if organisation is None:
        raise PermissionDenied("Imports are for the clinicians of an organisation.")
    return organisation


@role_required("clinician")
def import_list(request):
    organisation = _organisation(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None,
                            athletes=athlete_selectors.athlete_list(user=request.user).filter(organisation=organisation),
                            mappings=selectors.column_mapping_list(user=request.user).filter(organisation=organisation),
                            max_bytes=services.max_bytes(), too_large=services.too_large_message)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        batch = run_service(form, services.import_preview, actor=request.user, organisation=organisation,
                            file_name=upload.name, data=upload.read(), source=data["source"], mapping=data["mapping"],
                            unit=data["unit"], date_order=data["date_order"], athlete=data["athlete"],
                            session_date=data["session_date"], efforts_are_95=data["efforts_are_95"])
        if batch is not None:
            return redirect("clinic:import_detail", pk=batch.pk)
    batches = selectors.import_batch_list(user=request.user)[:50]
    return render(request, "clinic/imports/list.html", {"form": form, "batches": batches,
                                                        "max_size": services.size_words(services.max_bytes())})


@role_required("clinician")
def import_detail(request, pk):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    rows = batch.rows
    skipped = [r for r in rows if r["status"] == "skip"]
    ready = [r for r in rows if r["status"] == "ready"]
    return render(request, "clinic/imports/detail.html", {
        "batch": batch, "ready": ready[:PREVIEW_LINES], "skipped": skipped[:PREVIEW_LINES],
        "more_ready": max(0, len(ready) - PREVIEW_LINES), "more_skipped": max(0, len(skipped) - PREVIEW_LINES),
        "undo_form": ReasonForm(), "progress": services.progress_of(batch),
        "proposals": selectors.vmax_proposal_list(user=request.user, batch=batch),
        "lsi_formula": services.LSI_FORMULA, "effort_definition": services.EFFORT_DEFINITION,
        "working": batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING),
    })


@role_required("clinician")
def import_progress(request, pk):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    return JsonResponse({"status": batch.status, "status_text": batch.get_status_display(),
                         "progress": services.progress_of(batch), "rows_written": batch.rows_written,
                         "error": batch.error})


@role_required("clinician")
@require_POST
def import_confirm(request, pk):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    try:
        batch = services.import_confirm_start(actor=request.user, batch=batch)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("clinic:import_detail", pk=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("clinic:import_detail", pk=pk)
    if batch.status == ImportBatch.Status.DONE:
        messages.success(request, f"Imported {batch.rows_written} lines; the plans were re-evaluated.")
    else:
        messages.info(request, "Importing in the background: this page shows the progress.")
    return redirect("clinic:import_detail", pk=pk)


@role_required("clinician")
@require_POST
def import_undo(request, pk):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the import is undone: it is a correction of the clinical record.")
        return redirect("clinic:import_detail", pk=pk)
    result = run_service(form, services.import_undo, actor=request.user, batch=batch, reason=form.cleaned_data["reason"])
    if result is None:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or "Nothing was undone.")
    else:
        _, notes = result
        messages.success(request, "Undone: what the import wrote is voided or put back, and the plans were "
                                  "re-evaluated." + (" " + " ".join(notes) if notes else ""))
    return redirect("clinic:import_detail", pk=pk)


@role_required("clinician")
def import_mappings(request):
    organisation = _organisation(request)
    form = ColumnMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mapping = run_service(form, services.column_mapping_save, actor=request.user, organisation=organisation,
                              name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
                              columns=form.service_columns())
        if mapping is not None:
            messages.success(request, f"Column mapping “{mapping.name}” saved: choose it when you upload its file.")
            return redirect("clinic:import_mappings")
    return render(request, "clinic/imports/mappings.html", {
        "form": form, "mappings": selectors.column_mapping_list(user=request.user).filter(organisation=organisation)})


@role_required("clinician")
@require_POST
def vmax_proposal_decide(request, pk):
    proposal = selectors.vmax_proposal_get(user=request.user, pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.vmax_proposal_decide(actor=request.user, proposal=proposal, accept=accept)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "The Vmax was not changed: " + " ".join(exc.messages))
    else:
        _decided(request, proposal, accept)
    return redirect(reverse("clinic:import_detail", args=[proposal.batch_id]))


def _decided(request, proposal, accept):
    if accept:
        messages.success(request, f"{proposal.athlete.full_name}'s Vmax is now {proposal.speed_mps} m/s (GPS, "
                                  f"{proposal.measured_on:%d %b %Y}); the plan was re-evaluated.")
    else:
        messages.success(request, "Proposal dismissed: the Vmax on record stays.")
