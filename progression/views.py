"""Clinician pages for plans, decisions and protocols."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from athletes import selectors as athlete_selectors
from core.exceptions import Conflict
from core.views import role_required, run_service

from . import selectors, services
from .bench import run_bench
from .engine_io import definition_from_json, to_json_safe
from .forms import (
    OverrideForm,
    PlanStartForm,
    PlanVersionForm,
    ProtocolJsonForm,
    ProtocolNumbersForm,
    RejectForm,
    ScenarioBenchForm,
)
from .protocol_editing import apply_numbers, editable_numbers, pretty, protocol_changes


@role_required("clinician")
def plan_start(request, athlete_pk):
    athlete = athlete_selectors.athlete_get(user=request.user, pk=athlete_pk)
    injuries = athlete_selectors.injury_list(user=request.user, athlete_id=athlete.pk)
    if not injuries.exists():
        messages.info(request, "Record the injury first: a plan follows one injury.")
        return redirect("athletes:injury_create", athlete_pk=athlete.pk)
    form = PlanStartForm(request.POST or None, injuries=injuries, protocols=selectors.protocol_list(user=request.user),
                         initial={"advance_requires_signoff": True})
    if request.method == "POST" and form.is_valid():
        plan = run_service(form, services.plan_start, actor=request.user, **form.cleaned_data)
        if plan is not None:
            messages.success(request, f"Plan started in P{plan.current_phase} on {plan.protocol}.")
            return redirect("athletes:detail", pk=athlete.pk)
    return render(request, "progression/plan_start.html", {"form": form, "athlete": athlete})


def _decision_action(request, pk, form_class, action, success):
    decision = selectors.decision_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    athlete_pk = decision.plan.injury.athlete_id
    if form.is_valid():
        data = dict(form.cleaned_data)
        expected_version = data.pop("version")
        try:
            action(actor=request.user, decision=decision, expected_version=expected_version, **data)
            messages.success(request, success)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except services.EvidenceChanged as exc:
            messages.error(request, exc.message)
            return redirect(f"/clinic/athletes/{athlete_pk}/#decision-{exc.recheck.pk}")
        except Conflict as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(f"/clinic/athletes/{athlete_pk}/#decision-{decision.pk}")


@role_required("clinician")
@require_POST
def decision_sign_off(request, pk):
    return _decision_action(request, pk, PlanVersionForm, services.decision_sign_off, "Signed off: the plan has advanced.")


@role_required("clinician")
@require_POST
def decision_reject(request, pk):
    return _decision_action(request, pk, RejectForm, services.decision_reject, "Rejected: the plan stays in its phase.")


@role_required("clinician")
@require_POST
def decision_override(request, pk):
    return _decision_action(request, pk, OverrideForm, services.decision_override, "Overridden: a new stint has started.")


@role_required("clinician")
@require_POST
def plan_status(request, pk, status):
    plan = selectors.plan_get(user=request.user, pk=pk)
    if status not in ("active", "paused"):
        raise Http404
    form = PlanVersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("The form was incomplete: reload the page.")
        services.plan_set_status(actor=request.user, plan=plan, status=status, expected_version=form.cleaned_data["version"])
        messages.success(request, "Plan paused." if status == "paused" else "Plan resumed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("athletes:detail", pk=plan.injury.athlete_id)


@role_required("clinician")
def protocol_list(request):
    return render(request, "progression/protocol_list.html", {"protocols": selectors.protocol_list(user=request.user)})


@role_required("clinician")
def protocol_detail(request, pk):
    protocol = selectors.protocol_get(user=request.user, pk=pk)
    parent = selectors.protocol_list(user=request.user).filter(pk=protocol.parent_id).first() if protocol.parent_id else None
    changes = protocol_changes(to_json_safe(parent.definition), to_json_safe(protocol.definition)) if parent else None
    return render(request, "progression/protocol_detail.html", {
        "protocol": protocol, "phases": protocol.phases.all(), "in_use": protocol.plans.exists(),
        "versions": selectors.protocol_list(user=request.user).filter(slug=protocol.slug).order_by("-version"),
        "parent": parent, "changes": changes,
    })


def _own_organisation(request):
    org = athlete_selectors.managed_organisations(user=request.user).first()
    if org is None:
        raise ValidationError("You are not a clinician of any organisation.")
    return org


@role_required("clinician")
def protocol_edit(request, pk):
    """Edit the numbers (or the whole JSON) of a protocol. Saving always makes a new version; a built-in protocol
    is copied into the clinician's organisation first. Both forms carry the newest version of the protocol when the
    page was rendered: if someone saves a newer one meanwhile, this save is refused, not silently lost."""
    protocol = selectors.protocol_get(user=request.user, pk=pk)
    definition = to_json_safe(protocol.definition)
    rows = editable_numbers(definition)
    organisation = athlete_selectors.managed_organisations(user=request.user).first()
    base = {"base_version": selectors.protocol_edit_base(protocol=protocol, organisation=organisation)}
    posted = request.method == "POST"
    mode = request.POST.get("mode", "numbers") if posted else "numbers"
    # Only a POST binds a form: a bound form on GET shows empty fields and "This field is required" on each.
    numbers_form = ProtocolNumbersForm(request.POST if posted and mode == "numbers" else None, rows=rows, initial={
        **base, "name": protocol.name if protocol.organisation_id else f"{protocol.name} (our copy)"})
    json_form = ProtocolJsonForm(request.POST if posted and mode == "json" else None,
                                 initial={**base, "definition": pretty(definition)})
    form = numbers_form if mode == "numbers" else json_form
    newest = None
    if posted and form.is_valid():
        data = dict(form.cleaned_data)
        base_version = data.pop("base_version")
        if mode == "numbers":
            name = data.pop("name")
            new_definition = definition_from_json(apply_numbers(definition, data))
            new_definition["name"] = name
        else:
            new_definition = data["definition"]
        try:
            created = services.protocol_new_version(actor=request.user, protocol=protocol, definition=new_definition,
                                                    base_version=base_version, organisation=_own_organisation(request))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except Conflict as exc:
            form.add_error(None, exc.message)
            if exc.current is not None:
                newest = selectors.protocol_list(user=request.user).filter(pk=exc.current.pk).first()
        else:
            changed = protocol_changes(definition, to_json_safe(created.definition))
            what = f"{len(changed)} change{'' if len(changed) == 1 else 's'}" if changed else "no change"
            messages.success(request, f"Saved as {created.slug} v{created.version} ({what} from {protocol.slug} "
                                      f"v{protocol.version}). Plans on older versions keep them.")
            return redirect("progression:protocol_detail", pk=created.pk)
    return render(request, "progression/protocol_edit.html", {
        "protocol": protocol, "numbers_form": numbers_form, "json_form": json_form, "mode": mode, "newest": newest})


@role_required("clinician")
def protocol_bench(request, pk):
    """Run a scenario file through this protocol and show each decision with its reasons."""
    from . import engine

    protocol = selectors.protocol_get(user=request.user, pk=pk)
    form = ScenarioBenchForm(request.POST or None, request.FILES or None)
    output = mismatches = None
    if request.method == "POST" and form.is_valid():
        try:
            output, mismatches = run_bench(protocol, form.cleaned_data["text"])
        except engine.ScenarioError as exc:
            form.add_error(None, str(exc))
    return render(request, "progression/protocol_bench.html", {
        "protocol": protocol, "form": form, "output": output, "mismatches": mismatches})
