"""The clinician's protocol pages: the list, a version, the numbers and JSON editors, the scenario bench."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from athletes import selectors as athlete_selectors
from core.exceptions import Conflict
from progression import engine, selectors, services
from progression.engine_io import definition_from_json, engine_protocol, to_json_safe
from progression.protocol_editing import apply_numbers, editable_numbers, pretty, protocol_changes
from progression.protocol_words import protocol_in_words

from ...pages import role_required
from ..forms_protocols import ProtocolJsonForm, ProtocolNumbersForm, ScenarioBenchForm


@role_required("clinician")
def protocol_list(request):
    return render(request, "clinic/protocol_list.html", {"protocols": selectors.protocol_list(user=request.user)})


@role_required("clinician")
def protocol_detail(request, pk):
    protocol = selectors.protocol_get(user=request.user, pk=pk)
    parent = selectors.protocol_list(user=request.user).filter(pk=protocol.parent_id).first() if protocol.parent_id else None
    changes = protocol_changes(to_json_safe(parent.definition), to_json_safe(protocol.definition)) if parent else None
    return render(request, "clinic/protocol_detail.html", {
        "protocol": protocol, "phases": protocol.phases.all(), "in_use": protocol.plans.exists(),
        "versions": selectors.protocol_list(user=request.user).filter(slug=protocol.slug).order_by("-version"),
        "parent": parent, "changes": changes, "words": protocol_in_words(engine_protocol(protocol)),
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
            return redirect("clinic:protocol_detail", pk=created.pk)
    return render(request, "clinic/protocol_edit.html", {
        "protocol": protocol, "numbers_form": numbers_form, "json_form": json_form, "mode": mode, "newest": newest})


@role_required("clinician")
def protocol_bench(request, pk):
    """Run a scenario file through this protocol and show each decision with its reasons."""
    protocol = selectors.protocol_get(user=request.user, pk=pk)
    form = ScenarioBenchForm(request.POST or None, request.FILES or None)
    output = mismatches = None
    if request.method == "POST" and form.is_valid():
        try:
            output, mismatches = selectors.run_bench(protocol, form.cleaned_data["text"])
        except engine.ScenarioError as exc:
            form.add_error(None, str(exc))
    return render(request, "clinic/protocol_bench.html", {
        "protocol": protocol, "form": form, "output": output, "mismatches": mismatches})
