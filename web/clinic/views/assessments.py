"""Clinician pages for assessments."""
from django.contrib import messages
from django.shortcuts import redirect, render

from athletes import selectors as athlete_selectors
from progression import evidence
from sessions.models import Assessment

from ...pages import role_required, run_service
from ..forms import AssessmentForm


@role_required("clinician")
def assessment_create(request, injury_pk):
    injury = athlete_selectors.injury_get(user=request.user, pk=injury_pk)
    today = injury.athlete.organisation.today()
    form = AssessmentForm(request.POST or None, instance=Assessment(injury=injury, recorded_on=today),
                          initial={"assessed_on": today})
    if request.method == "POST" and form.is_valid():
        assessment = run_service(form, evidence.assessment_enter, actor=request.user, injury=injury, **form.cleaned_data)
        if assessment is not None:
            lsi = f" LSI {assessment.strength_lsi}%." if assessment.strength_lsi is not None else ""
            messages.success(request, f"Assessment saved.{lsi}")
            return redirect("clinic:athlete", pk=injury.athlete_id)
    return render(request, "clinic/assessment_form.html", {"form": form, "injury": injury, "athlete": injury.athlete})
