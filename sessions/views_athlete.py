"""The athlete's phone pages: today, log a session, next-morning report, progress, warning signs."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from athletes.selectors import athlete_for_user
from core import clock
from core.views import query_int, role_required, run_service
from progression import selectors as plan_selectors
from progression.prescriptions import plan_day

from . import selectors, services
from .forms_athlete import SessionLogForm, SymptomReportForm


def _me(request):
    athlete = athlete_for_user(user=request.user)
    if athlete is None:
        raise PermissionDenied("Your login is not linked to an athlete profile.")
    return athlete


def _today(athlete):
    return clock.now().astimezone(athlete.organisation.tz).date()


@role_required("athlete")
def today(request):
    athlete = _me(request)
    plan = plan_selectors.plan_open_for_athlete(athlete=athlete)
    day = _today(athlete)
    week_rx = day_rx = None
    if plan is not None and plan.status == plan.Status.ACTIVE:
        week_rx, day_rx = plan_day(plan, day)
    pending = selectors.sessions_awaiting_report(athlete=athlete).filter(date__lt=day).first()
    logged_today = selectors.session_log_list(user=request.user, athlete_id=athlete.pk).filter(date=day).first()
    decision = plan_selectors.decision_latest(plan=plan) if plan else None
    return render(request, "me/today.html", {
        "athlete": athlete, "plan": plan, "week_rx": week_rx, "day_rx": day_rx, "day": day,
        "pending_report": pending, "logged_today": logged_today, "decision": decision,
    })


@role_required("athlete")
def log_session(request):
    athlete = _me(request)
    form = SessionLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id")
        result = run_service(form, services.session_log_create, actor=request.user, athlete=athlete,
                             client_id=client_id, date=_today(athlete), **data)
        if result is not None:
            log, created = result
            if log.red_flag or log.pain_during >= 7:
                return redirect("me:stop", pk=log.pk)
            messages.success(request, "Session logged. Tomorrow morning, tell us how the thigh feels."
                             if created else "Already logged: we kept the first one.")
            return redirect("me:today")
    return render(request, "me/log.html", {"form": form, "athlete": athlete})


@role_required("athlete")
def stop(request, pk):
    log = selectors.session_log_get(user=request.user, pk=pk)
    return render(request, "me/stop.html", {"log": log})


@role_required("athlete")
def report(request, pk):
    log = selectors.session_log_get(user=request.user, pk=pk)
    existing = getattr(log, "symptom_report", None) if hasattr(log, "symptom_report") else None
    form = SymptomReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id")
        result = run_service(form, services.symptom_report_create, actor=request.user, session_log=log,
                             client_id=client_id, **data)
        if result is not None:
            rep, created = result
            if rep.soreness_24h >= 7:
                return redirect("me:stop", pk=log.pk)
            messages.success(request, "Thanks: your clinician sees it now." if created else "Already sent: we kept the first one.")
            return redirect("me:progress")
    # A soreness value in the reminder link preselects the button: one tap to confirm.
    soreness = query_int(request, "soreness", minimum=0, maximum=10)
    if not form.is_bound and soreness is not None:
        form.initial["soreness_24h"] = soreness
    return render(request, "me/report.html", {"form": form, "log": log, "existing": existing})


@role_required("athlete")
def progress(request):
    athlete = _me(request)
    plan = plan_selectors.plan_open_for_athlete(athlete=athlete)
    decisions, chart, milestones = [], None, []
    if plan is not None:
        from progression.dashboards import athlete_progress

        decisions = list(plan_selectors.decision_list(user=request.user, plan_id=plan.pk)[:20])
        chart, milestones = athlete_progress(plan)
    logs = list(selectors.session_log_list(user=request.user, athlete_id=athlete.pk)[:30])
    return render(request, "me/progress.html", {
        "athlete": athlete, "plan": plan, "decision": decisions[0] if decisions else None, "decisions": decisions,
        "logs": logs, "phases": list(range(7)), "chart": chart, "milestones": milestones,
    })


@role_required("athlete")
def warning_signs(request):
    return render(request, "me/warning_signs.html", {})
