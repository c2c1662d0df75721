"""The clinician corrects or voids a record (a session, a next-morning report, an assessment) with a reason, and
changes the plan's settings. Every write goes through `progression.evidence` (enter, then decide) or
`progression.services`; every read through a selector, so anything outside the user's scope is a 404.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from progression import evidence, selectors, services
from sessions import selectors as session_selectors
from sessions.services import CLINICIAN, actor_role

from ...forms import ReasonForm, ReportCorrectionForm, SessionCorrectionForm
from ...pages import role_required, run_service
from ..forms import AssessmentCorrectionForm, PlanSettingsForm


def _athlete_page(athlete_id, anchor="sessions") -> str:
    return reverse("clinic:athlete", args=[athlete_id]) + f"#{anchor}"


def _correction_page(request, *, obj, form, title, subject, back, void_url):
    return render(request, "clinic/correct.html", {"obj": obj, "form": form, "void_form": ReasonForm(),
                                                   "title": title, "subject": subject, "back": back,
                                                   "void_url": void_url})


@role_required("clinician")
def session_correct(request, pk):
    log = session_selectors.session_log_get(user=request.user, pk=pk)
    if actor_role(request.user, log.athlete) != CLINICIAN:
        raise PermissionDenied("Only a clinician of the athlete's organisation corrects sessions.")
    back = _athlete_page(log.athlete_id)
    form = SessionCorrectionForm(request.POST or None, log=log)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, evidence.session_log_correct, actor=request.user, log=log,
                             reason=form.cleaned_data["reason"], **form.service_fields())
        if result is not None:
            messages.success(request, "Corrected; the plan was re-evaluated." if result[1] else "Nothing changed.")
            return redirect(back)
    return _correction_page(request, obj=log, form=form, back=back, void_url=reverse("clinic:session_void",
                                                                                    args=[log.pk]),
                            title=f"Correct the session of {log.date:%a %d %b %Y}", subject=log.athlete.full_name)


@role_required("clinician")
@require_POST
def session_void(request, pk):
    log = session_selectors.session_log_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid() and run_service(form, evidence.session_log_void, actor=request.user, log=log,
                   reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, f"The session of {log.date:%d %b} is void; the plan was re-evaluated.")
        return redirect(_athlete_page(log.athlete_id))
    messages.error(request, "Say why the session is voided.")
    return redirect("clinic:session_correct", pk=log.pk)


@role_required("clinician")
def report_correct(request, pk):
    report = session_selectors.symptom_report_get(user=request.user, pk=pk)
    log = report.session_log
    if actor_role(request.user, log.athlete) != CLINICIAN:
        raise PermissionDenied("Only a clinician of the athlete's organisation corrects reports.")
    back = _athlete_page(log.athlete_id)
    form = ReportCorrectionForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, evidence.symptom_report_correct, actor=request.user, report=report,
                             reason=form.cleaned_data["reason"], **form.service_fields())
        if result is not None:
            messages.success(request, "Corrected; the plan was re-evaluated." if result[1] else "Nothing changed.")
            return redirect(back)
    return _correction_page(request, obj=report, form=form, back=back,
                            void_url=reverse("clinic:report_void", args=[report.pk]),
                            title=f"Correct the next-morning report after {log.date:%a %d %b %Y}",
                            subject=log.athlete.full_name)


@role_required("clinician")
@require_POST
def report_void(request, pk):
    report = session_selectors.symptom_report_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid() and run_service(form, evidence.symptom_report_void, actor=request.user, report=report,
                                       reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, "The report is void: the session counts as unreported.")
        return redirect(_athlete_page(report.session_log.athlete_id))
    messages.error(request, "Say why the report is voided.")
    return redirect("clinic:report_correct", pk=report.pk)


@role_required("clinician")
def assessment_correct(request, pk):
    assessment = session_selectors.assessment_get(user=request.user, pk=pk)
    if actor_role(request.user, assessment.injury.athlete) != CLINICIAN:
        raise PermissionDenied("Only a clinician of the athlete's organisation corrects assessments.")
    back = _athlete_page(assessment.injury.athlete_id, "assessments")
    form = AssessmentCorrectionForm(request.POST or None, instance=assessment)
    if request.method == "POST":
        # The ModelForm validates against a copy: the service writes (and audits) the correction.
        form.instance = type(assessment).objects.get(pk=assessment.pk)
        if form.is_valid():
            result = run_service(form, evidence.assessment_correct, actor=request.user, assessment=assessment,
                                 reason=form.cleaned_data["reason"], **form.service_fields())
            if result is not None:
                messages.success(request, "Corrected; the plan was re-evaluated." if result[1] else "Nothing changed.")
                return redirect(back)
    return _correction_page(request, obj=assessment, form=form, back=back,
                            void_url=reverse("clinic:assessment_void", args=[assessment.pk]),
                            title=f"Correct the assessment of {assessment.assessed_on:%a %d %b %Y}",
                            subject=assessment.injury.athlete.full_name)


@role_required("clinician")
@require_POST
def assessment_void(request, pk):
    assessment = session_selectors.assessment_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid() and run_service(form, evidence.assessment_void, actor=request.user, assessment=assessment,
                                       reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, "The assessment is void.")
        return redirect(_athlete_page(assessment.injury.athlete_id, "assessments"))
    messages.error(request, "Say why the assessment is voided.")
    return redirect("clinic:assessment_correct", pk=assessment.pk)


@role_required("clinician")
def plan_settings(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    if actor_role(request.user, plan.injury.athlete) != CLINICIAN:
        raise PermissionDenied("Only a clinician of the athlete's organisation changes the plan's settings.")
    back = reverse("clinic:athlete", args=[plan.injury.athlete_id])
    form = PlanSettingsForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, services.plan_settings_update, actor=request.user, plan=plan,
                             expected_version=form.cleaned_data["version"], **form.service_fields())
        if result is not None:
            _, changed = result
            messages.success(request, "Settings saved; the plan was re-evaluated." if changed else "Nothing changed.")
            return redirect(back)
    return render(request, "clinic/plan_settings.html", {"plan": plan, "form": form, "athlete": plan.injury.athlete,
                                                         "back": back})
