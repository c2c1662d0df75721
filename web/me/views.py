"""The athlete's phone pages: today, log a session, next-morning report, progress, warning signs, corrections,
and the service worker that keeps them on the phone."""
import hashlib
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from athletes.selectors import athlete_for_user
from core import clock
from progression import evidence
from progression import selectors as plan_selectors
from progression import services as plan_services
from sessions import selectors
from sessions.services import (
    report_is_open,
    report_opens_at,
    session_log_correctable_by,
    symptom_report_correctable_by,
)

from ..charts import athlete_chart
from ..common.calendars import feed_links
from ..export_files import export_extra_files, zip_download
from ..forms import ReportCorrectionForm, SessionCorrectionForm
from ..pages import query_int, role_required, run_service
from .forms import SessionLogForm, SymptomReportForm


def _me(request):
    athlete = athlete_for_user(user=request.user)
    if athlete is None:
        raise PermissionDenied("Your login is not linked to an athlete profile.")
    return athlete


def _today(athlete):
    return athlete.organisation.today()


@role_required("athlete")
def today(request):
    athlete = _me(request)
    plan = plan_selectors.plan_open_for_athlete(athlete=athlete)
    day = _today(athlete)
    week_rx = day_rx = next_day = None
    if plan is not None and plan.status == plan.Status.ACTIVE:
        week_rx, day_rx = plan_selectors.plan_day(plan, day)
        next_day = plan_selectors.next_training_day(plan, day)
    pending = next((log for log in selectors.sessions_awaiting_report(athlete=athlete).filter(date__lt=day)
                    if report_is_open(log)), None)
    logged_today = (selectors.session_log_list(user=request.user, athlete_id=athlete.pk)
                    .filter(date=day, voided_at__isnull=True).order_by("-logged_at").first())
    decision = plan_selectors.decision_latest(plan=plan) if plan else None
    return render(request, "me/today.html", {
        "athlete": athlete, "plan": plan, "week_rx": week_rx, "day_rx": day_rx, "day": day, "next_day": next_day,
        "track": plan_selectors.plan_phase_track(plan) if plan else None,
        "pending_report": pending, "logged_today": logged_today, "decision": decision,
    })


@role_required("athlete")
def log_session(request):
    athlete = _me(request)
    today = _today(athlete)
    logged_today = (selectors.session_log_list(user=request.user, athlete_id=athlete.pk)
                    .filter(date=today, voided_at__isnull=True).order_by("-logged_at").first())
    if request.method == "GET" and logged_today is not None and request.GET.get("another") != "1":
        # Opening the form again after saving: say so, and offer to correct it or add a second session on purpose.
        return render(request, "me/logged_already.html", {
            "log": logged_today, "athlete": athlete,
            "logged_at": clock.local_time(athlete.organisation.tz, logged_today.logged_at),
            "can_correct": session_log_correctable_by(request.user, logged_today) is not None,
        })
    form = SessionLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id")
        result = run_service(form, evidence.session_log_enter, actor=request.user, athlete=athlete,
                             client_id=client_id, date=_today(athlete), **data)
        if result is not None:
            log, created = result
            if log.red_flag or log.pain_during >= 7:
                return redirect("me:stop", pk=log.pk)
            messages.success(request, "Session logged. Tomorrow morning, tell us how the thigh feels."
                             if created else "Already logged: we kept the first one.")
            return redirect("me:today")
    return render(request, "me/log.html", {"form": form, "athlete": athlete,
                                           "another": logged_today is not None})


@role_required("athlete")
def edit_session(request, pk):
    """The athlete corrects their own session on the day they logged it (pain, RPE, minutes, reps, red flag)."""
    log = selectors.session_log_get(user=request.user, pk=pk)
    if session_log_correctable_by(request.user, log) is None:
        messages.info(request, "A session can be corrected by you on the day you logged it; after that, ask your "
                               "clinician (use the notes).")
        return redirect("me:today")
    form = SessionCorrectionForm(request.POST or None, log=log, athlete_view=True)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, evidence.session_log_correct, actor=request.user, log=log,
                             reason=form.cleaned_data.get("reason") or "", **form.service_fields())
        if result is not None:
            if result[0].red_flag or result[0].pain_during >= 7:
                return redirect("me:stop", pk=log.pk)
            messages.success(request, "Corrected. Thank you." if result[1] else "Nothing changed.")
            return redirect("me:today")
    return render(request, "me/edit_session.html", {"form": form, "log": log})


@role_required("athlete")
def stop(request, pk):
    log = selectors.session_log_get(user=request.user, pk=pk)
    return render(request, "me/stop.html", {"log": log})


@role_required("athlete")
def report(request, pk):
    log = selectors.session_log_get(user=request.user, pk=pk)
    existing = getattr(log, "symptom_report", None)
    if existing is not None and existing.is_void:
        existing = None
    if existing is not None:
        return _report_correction(request, log, existing)
    if not report_is_open(log):
        opens = clock.local_time(log.athlete.organisation.tz, report_opens_at(log))
        return render(request, "me/report.html", {"log": log, "too_early": True, "opens": opens})
    form = SymptomReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id")
        result = run_service(form, evidence.symptom_report_enter, actor=request.user, session_log=log,
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
    return render(request, "me/report.html", {"form": form, "log": log})


def _report_correction(request, log, existing):
    """A report already sent: the athlete may correct it on the day they sent it; otherwise they see it."""
    can_correct = symptom_report_correctable_by(request.user, existing) is not None
    if not can_correct or (request.method != "POST" and request.GET.get("edit") != "1"):
        return render(request, "me/report.html", {"log": log, "existing": existing, "can_correct": can_correct})
    form = ReportCorrectionForm(request.POST or None, report=existing, athlete_view=True)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, evidence.symptom_report_correct, actor=request.user, report=existing,
                             reason=form.cleaned_data.get("reason") or "", **form.service_fields())
        if result is not None:
            if result[0].soreness_24h >= 7:
                return redirect("me:stop", pk=log.pk)
            messages.success(request, "Corrected. Thank you." if result[1] else "Nothing changed.")
            return redirect("me:progress")
    return render(request, "me/report.html", {"log": log, "existing": existing, "correct_form": form})


@role_required("athlete")
def progress(request):
    athlete = _me(request)
    plan = plan_selectors.plan_open_for_athlete(athlete=athlete)
    decisions, chart, milestones, projection = [], None, [], None
    if plan is not None:
        projection = plan_selectors.projected_returns([plan], athlete.organisation.today()).get(plan.pk)
        decisions = list(plan_selectors.decision_list(user=request.user, plan_id=plan.pk)[:20])
        chart, milestones = athlete_chart(plan_selectors.plan_series(plan)), plan_selectors.plan_milestones(plan)
    logs = list(selectors.session_log_list(user=request.user, athlete_id=athlete.pk)[:30])
    return render(request, "me/progress.html", {
        "athlete": athlete, "plan": plan, "decision": decisions[0] if decisions else None, "decisions": decisions,
        "logs": logs, "track": plan_selectors.plan_phase_track(plan) if plan else None, "chart": chart,
        "milestones": milestones, "projection": projection,
        "my_feeds": feed_links(request, scope="athlete", athlete_id=athlete.pk),
    })


@role_required("athlete")
@require_GET
def export(request):
    """The athlete's own data, everything the app holds about them, as a zip (from the progress page; audited)."""
    athlete = _me(request)
    data = plan_services.athlete_export_build(actor=request.user, athlete=athlete,
                                              extra_files=export_extra_files(athlete, request.user))
    return zip_download(data, plan_services.export_filename(athlete, _today(athlete)))


@role_required("athlete")
def warning_signs(request):
    return render(request, "me/warning_signs.html", {})


# The pages the service worker keeps at install (the others are kept as the athlete opens them), and the static
# files every page needs (the stylesheet first: the offline fallback page links it).
OFFLINE_PAGES = ("me:today", "me:progress", "me:warning_signs")
OFFLINE_STATIC = ("css/app.css", "js/app.js", "js/offline.js", "img/icon.svg", "img/icon-192.png",
                  "manifest.webmanifest")


@require_GET
def service_worker(request):
    """/me/sw.js: the service worker, served under /me/ so that its scope is the athlete's pages. Code only (no
    data), so it answers without a login: the browser checks it for updates after a logout too."""
    pages = [reverse(name) for name in OFFLINE_PAGES] + [reverse("me:log") + "?another=1"]
    body = render_to_string("me/sw.js", {"pages": json.dumps(pages),
                                         "static_files": json.dumps([static(path) for path in OFFLINE_STATIC])})
    # A new version whenever the script or a static file name changes: the old static cache is dropped.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(body.replace("__VERSION__", version), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/me/"
    response["X-Content-Type-Options"] = "nosniff"
    return response
