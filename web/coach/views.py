"""The coach's pages: the week (each athlete's prescribed sessions by day), its CSV and iCalendar exports, the
technique rating and the session measurements beside each logged session."""
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from athletes import selectors as athlete_selectors
from core.access import access_for
from progression import evidence
from progression.exports import week_csv, week_ics
from progression.models import MAX_PHASE
from progression.selectors import week_rows
from progression.selectors.grid import week_grid
from sessions import selectors as session_selectors
from sessions.checklists import checklist_for_phase
from sessions.services import CLINICIAN, COACH, actor_role

from ..common.calendars import feed_links
from ..forms import ReasonForm
from ..pages import query_int, role_required, run_service, safe_next
from .forms import MeasurementForm, TechniqueRatingForm

# The weeks a page can show (as the API's WeekQuery): anything else is the current week.
MIN_YEAR, MAX_YEAR = 1900, 2200


def _iso_week(request):
    today = athlete_selectors.today_for_user(user=request.user)
    year = query_int(request, "year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    week = query_int(request, "week", minimum=1, maximum=53)
    try:
        if year is None or week is None:
            raise ValueError("no week given")
        datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        year, week, _ = today.isocalendar()
    return year, week


def _week_query(request):
    teams = athlete_selectors.team_list(user=request.user)
    team_id = query_int(request, "team")
    if team_id is not None and not teams.filter(pk=team_id).exists():
        team_id = None
    year, wk = _iso_week(request)
    return teams, team_id, year, wk


@role_required("coach", "clinician")
def week_export(request, fmt):
    """The week as CSV (spreadsheets) or iCalendar (phone and desktop calendars)."""
    _, team_id, year, wk = _week_query(request)
    rows = week_rows(user=request.user, team_id=team_id, year=year, week=wk)
    name = f"sprint-week-{year}-W{wk:02d}"
    if fmt == "csv":
        response = HttpResponse(week_csv(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    elif fmt == "ics":
        # The same UID domain as the emailed file (SITE_URL), so importing both never duplicates events.
        domain = urlsplit(settings.SITE_URL).hostname or "sprint-rehab.invalid"
        response = HttpResponse(week_ics(rows, domain=domain), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    else:
        raise Http404("Unknown format.")
    return response


@role_required("coach", "clinician")
def week(request):
    """The week as a grid: athletes as rows, days as columns, the key dose in each cell, the rest one click away."""
    teams, team_id, year, wk = _week_query(request)
    monday = datetime.date.fromisocalendar(year, wk, 1)
    prev_monday, next_monday = monday - datetime.timedelta(days=7), monday + datetime.timedelta(days=7)
    phase = query_int(request, "phase", minimum=0, maximum=MAX_PHASE)
    grid = week_grid(user=request.user, team_id=team_id, year=year, week=wk, phase=phase,
                     today=athlete_selectors.today_for_user(user=request.user),
                     clinician=access_for(request.user).is_clinician)
    team = teams.filter(pk=team_id).first() if team_id is not None else None
    return render(request, "coach/week.html", {
        "coach_feeds": feed_links(request, scope="coach") if access_for(request.user).is_coach else None,
        "team": team, "team_feeds": feed_links(request, scope="team", team_id=team.pk) if team else None,
        "teams": teams, "team_id": str(team_id) if team_id is not None else None, "year": year, "week": wk,
        "grid": grid, "phase": phase, "prev": prev_monday.isocalendar()[:2], "next": next_monday.isocalendar()[:2],
        "back": request.get_full_path(),
    })


@role_required("coach", "clinician")
def rate_technique(request, pk):
    log = session_selectors.session_log_get(user=request.user, pk=pk)
    if actor_role(request.user, log.athlete) not in (CLINICIAN, COACH):
        raise PermissionDenied("Only the athlete's coach or clinician rates technique.")
    kind = request.GET.get("kind") if request.GET.get("kind") in ("drill", "smas") else checklist_for_phase(log.phase)
    form = TechniqueRatingForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        rating = run_service(form, evidence.technique_rating_enter, actor=request.user, session_log=log, kind=kind,
                             **form.cleaned_data)
        if rating is not None:
            messages.success(request, f"Technique {rating.score}% saved for {log.athlete.full_name}.")
            return redirect("coach:week")
    return render(request, "coach/rate.html", {"log": log, "form": form, "kind": kind,
                                               "ratings": log.technique_ratings.all()[:5]})


@role_required("coach", "clinician")
def session_measure(request, pk):
    """Peak speed, efforts at >= 95 %, a full session and (clinicians) an H-test, beside a logged session."""
    log = session_selectors.session_log_get(user=request.user, pk=pk)
    role = actor_role(request.user, log.athlete)
    if role not in (CLINICIAN, COACH):
        raise PermissionDenied("Only the athlete's coach or clinician records session measurements.")
    default = (reverse("coach:week") if role == COACH
               else reverse("clinic:athlete", args=[log.athlete_id]) + "#sessions")
    back = safe_next(request, default)
    form = MeasurementForm(request.POST or None, log=log, clinician=role == CLINICIAN)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, evidence.session_measurements_enter, actor=request.user, session_log=log,
                             reason=form.cleaned_data.get("reason") or "", **form.service_fields())
        if result is not None:
            _, changed = result
            messages.success(request, f"Measurements saved for {log.athlete.full_name}, {log.date:%a %d %b}."
                             if changed else "Nothing changed.")
            return redirect(back)
    return render(request, "coach/measure.html", {"log": log, "form": form, "back": back,
                                                  "is_clinician": role == CLINICIAN})




@role_required("coach", "clinician")
@require_POST
def rating_void(request, pk):
    rating = session_selectors.technique_rating_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    back = safe_next(request, reverse("coach:rate", args=[rating.session_log_id]))
    if form.is_valid() and run_service(form, evidence.technique_rating_void, actor=request.user, rating=rating,
                                       reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, "The rating is void; the session's technique falls back to the ratings that stand.")
    else:
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()) or "That rating cannot be voided.")
    return redirect(back)
