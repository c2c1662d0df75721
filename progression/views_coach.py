"""The coach's week: each athlete's prescribed sessions by day for a team and an ISO week."""
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render

from athletes import selectors as athlete_selectors
from core.views import query_int, role_required

from . import selectors
from .prescriptions import plan_week

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


def week_rows(*, user, team_id, year, week):
    """(plan, week prescription) for each active plan the user can see, with the week's logged sessions and the
    latest decision attached; three queries whatever the number of athletes."""
    from collections import defaultdict

    from django.db.models import OuterRef, Subquery

    from sessions.selectors import session_log_list

    from .models import Decision

    latest = Decision.objects.filter(plan=OuterRef("pk")).order_by("-created_at", "-id")
    plans = list(
        selectors.plan_list(user=user, status="active", team_id=team_id)
        .select_related("injury__athlete__organisation")
        .annotate(latest_outcome=Subquery(latest.values("outcome")[:1]),
                  latest_reasons=Subquery(latest.values("reasons")[:1]))
        .order_by("injury__athlete__last_name", "injury__athlete__first_name")
    )
    monday = datetime.date.fromisocalendar(year, week, 1)
    logs = defaultdict(list)
    for log in session_log_list(user=user, date_from=monday, date_to=monday + datetime.timedelta(days=6)).filter(
            voided_at__isnull=True).filter(
            plan__in=plans).order_by("date"):
        logs[log.plan_id].append(log)
    rows = []
    for plan in plans:
        plan.week_logs = logs[plan.pk]
        plan.hold_reasons = []
        if plan.latest_outcome == "hold" and plan.latest_reasons:
            reasons = plan.latest_reasons if isinstance(plan.latest_reasons, list) else []
            plan.hold_reasons = [r["message"] for r in reasons if r.get("status") in ("fired", "not_met")][:3]
        rows.append((plan, plan_week(plan, iso_year=year, iso_week=week)))
    return rows


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
    from django.http import Http404, HttpResponse

    from .exports import week_csv, week_ics

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
    teams, team_id, year, wk = _week_query(request)
    monday = datetime.date.fromisocalendar(year, wk, 1)
    prev_monday, next_monday = monday - datetime.timedelta(days=7), monday + datetime.timedelta(days=7)
    rows = week_rows(user=request.user, team_id=team_id, year=year, week=wk)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    return render(request, "coach/week.html", {
        "teams": teams, "team_id": str(team_id) if team_id is not None else None, "year": year, "week": wk, "days": days, "rows": rows,
        "prev": prev_monday.isocalendar()[:2], "next": next_monday.isocalendar()[:2],
    })
