"""The clinician's pages for plans and decisions: start, pause and resume a plan; sign off, reject or override."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from athletes import selectors as athlete_selectors
from core.exceptions import Conflict
from progression import selectors, services

from ...pages import role_required, run_service
from ..forms import OverrideForm, PlanStartForm, PlanVersionForm, RejectForm


@role_required("clinician")
def plan_start(request, athlete_pk):
    athlete = athlete_selectors.athlete_get(user=request.user, pk=athlete_pk)
    injuries = athlete_selectors.injury_list(user=request.user, athlete_id=athlete.pk)
    if not injuries.exists():
        messages.info(request, "Record the injury first: a plan follows one injury.")
        return redirect("clinic:injury_create", athlete_pk=athlete.pk)
    form = PlanStartForm(request.POST or None, injuries=injuries, protocols=selectors.protocol_list(user=request.user),
                         initial={"advance_requires_signoff": True})
    if request.method == "POST" and form.is_valid():
        plan = run_service(form, services.plan_start, actor=request.user, **form.cleaned_data)
        if plan is not None:
            messages.success(request, f"Plan started in P{plan.current_phase} on {plan.protocol}.")
            return redirect("clinic:athlete", pk=athlete.pk)
    return render(request, "clinic/plan_start.html", {"form": form, "athlete": athlete})


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
    return redirect("clinic:athlete", pk=plan.injury.athlete_id)


@role_required("clinician", "coach")
@require_GET
def clearance_report(request, pk):
    """The clearance (or discharge) report of a signed-off decision, as a PDF: the athlete's care team."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    report = getattr(decision, "clearance_report", None)  # RelatedObjectDoesNotExist is an AttributeError
    if report is None or not report.file:
        raise Http404("This decision has no clearance report.")
    with report.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="{report.kind}-report-athlete-'
                                       f'{decision.plan.injury.athlete_id}-{decision.decided_on:%Y-%m-%d}.pdf"')
    return response
