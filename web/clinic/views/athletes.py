"""The clinician's pages for athletes: the roster, adding an athlete and an injury, the athlete page."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from athletes import selectors as athlete_selectors
from athletes import services as athlete_services
from athletes.models import Injury
from core.access import access_for
from progression import selectors as plan_selectors
from progression import services as plan_services
from progression.filters import ROSTER_STATUSES
from progression.models import Decision
from sessions import selectors as session_selectors
from sessions.models import TechniqueRating
from sessions.services import actor_role

from ...charts import plan_charts
from ...common.calendars import feed_links
from ...export_files import export_extra_files, zip_download
from ...pages import query_int, role_required, run_service
from ..forms import WEEKDAYS, AnonymiseForm, AthleteForm, InjuryForm
from ..history import group_decisions


def _organisation_for(user):
    orgs = list(athlete_selectors.managed_organisations(user=user)[:2])
    return orgs[0] if orgs else None


@role_required("clinician")
def athlete_create(request):
    organisation = _organisation_for(request.user)
    form = AthleteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        athlete = run_service(form, athlete_services.athlete_create, actor=request.user, organisation=organisation, **form.cleaned_data)
        if athlete is not None:
            messages.success(request, f"{athlete.full_name} added. Next: record the injury.")
            return redirect("clinic:injury_create", athlete_pk=athlete.pk)
    return render(request, "clinic/athlete_form.html", {"form": form})


@role_required("clinician")
def injury_create(request, athlete_pk):
    athlete = athlete_selectors.athlete_get(user=request.user, pk=athlete_pk)
    form = InjuryForm(request.POST or None, instance=Injury(athlete=athlete, recorded_on=athlete.organisation.today()))
    if request.method == "POST" and form.is_valid():
        injury = run_service(form, athlete_services.injury_create, actor=request.user, athlete=athlete, **form.cleaned_data)
        if injury is not None:
            messages.success(request, "Injury recorded. Next: the baseline assessment.")
            return redirect("clinic:assessment_create", injury_pk=injury.pk)
    return render(request, "clinic/injury_form.html", {"form": form, "athlete": athlete})


def paginate(request, queryset, per_page=25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@role_required("clinician")
def roster(request):
    """The roster, filtered by the same FilterSet the selector applies (team, status, order)."""
    team_id = query_int(request, "team")
    status = request.GET.get("status") or ""
    order = request.GET.get("order") or ""
    rows = plan_selectors.roster(user=request.user, filters=request.GET)
    page = paginate(request, rows)
    today = athlete_selectors.today_for_user(user=request.user)
    organisation = athlete_selectors.home_organisation(user=request.user)
    status_labels = dict(Decision.Status.choices)
    projections = plan_selectors.projected_returns([row.plan_id for row in page if row.plan_id], today)
    for row in page:
        row.decision_status_label = status_labels.get(row.decision_status, "")
        plan_selectors.roster_row_facts(row, today=today, tz=organisation.tz if organisation else None)
        row.projection = projections.get(row.plan_id)
    return render(request, "clinic/roster.html", {
        "page": page, "teams": athlete_selectors.team_list(user=request.user),
        "team_id": str(team_id) if team_id is not None else None, "status": status,
        "order": order, "statuses": [("", "All"), *ROSTER_STATUSES],
    })


@role_required("clinician", "coach")
def athlete_detail(request, pk):
    athlete = athlete_selectors.athlete_get(user=request.user, pk=pk)
    plan = plan_selectors.plan_latest_for_athlete(athlete=athlete)
    history, charts, track, decisions, projection = [], [], None, [], None
    if plan is not None:
        projection = plan_selectors.projected_returns([plan], athlete.organisation.today()).get(plan.pk)
        charts = plan_charts(plan_selectors.plan_series(plan))
        track = plan_selectors.plan_phase_track(plan)
        decisions = list(plan_selectors.decision_list(user=request.user, plan_id=plan.pk).select_related("reviewed_by", "clearance_report"))
        history = group_decisions(decisions, {ph["number"]: ph["name"] for ph in track["phases"]})
    standing = Prefetch("technique_ratings", to_attr="standing_ratings",
                        queryset=TechniqueRating.objects.filter(voided_at__isnull=True).select_related("rated_by")
                        .order_by("-rated_at", "-id"))
    role = actor_role(request.user, athlete)
    days = dict(WEEKDAYS)
    context = {
        "athlete": athlete,
        "injuries": athlete_selectors.injury_list(user=request.user, athlete_id=athlete.pk),
        "assessments": session_selectors.assessment_list(user=request.user, athlete_id=athlete.pk)[:20],
        "sessions": session_selectors.session_log_list(user=request.user, athlete_id=athlete.pk)
        .prefetch_related(standing)[:30],
        "plan": plan,
        "history": history,
        "latest_pk": decisions[0].pk if plan is not None and decisions else None,
        "charts": charts,
        "can_manage": role == "clinician",
        "can_measure": role in ("clinician", "coach"),
        "track": track,
        "projection": projection,
        "training_day_names": ", ".join(days[d] for d in athlete.training_days or ()),
        "athlete_feeds": feed_links(request, scope="athlete", athlete_id=athlete.pk),
    }
    return render(request, "clinic/athlete_detail.html", context)


@role_required("clinician")
@require_GET
def athlete_export(request, pk):
    """Everything the app holds about one athlete, as a zip (clinicians of the athlete's organisation; audited)."""
    athlete = athlete_selectors.athlete_get(user=request.user, pk=pk)
    data = plan_services.athlete_export_build(actor=request.user, athlete=athlete,
                                              extra_files=export_extra_files(athlete, request.user))
    return zip_download(data, plan_services.export_filename(athlete, athlete.organisation.today()))


@role_required("clinician")
def athlete_anonymise(request, pk):
    """Anonymise an athlete, after a confirmation step (clinicians of the athlete's organisation; audited)."""
    athlete = athlete_selectors.athlete_get(user=request.user, pk=pk)
    if not access_for(request.user).can_manage_org(athlete.organisation_id):
        raise PermissionDenied("Only a clinician of this athlete's organisation can anonymise them.")
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, plan_services.athlete_anonymise, actor=request.user, athlete=athlete,
                             confirm=form.cleaned_data["confirm"])
        if result is not None:
            messages.success(request, "Anonymised: names, contact details and free text replaced, login removed"
                             f" ({result['texts_replaced']} texts, {result['videos_deleted']} videos).")
            return redirect("clinic:athlete", pk=athlete.pk)
    return render(request, "clinic/athlete_anonymise.html", {"athlete": athlete, "form": form})
