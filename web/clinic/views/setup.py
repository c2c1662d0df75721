"""The clinic's set-up pages, under /clinic/setup/: teams, coaches, who is in which team, memberships.

Every change goes through a service of athletes.services (checked, one transaction, audited). A clinician sets up
the organisation where they are a clinician (their first, if several); objects of another organisation are 404.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from athletes import selectors as athlete_selectors
from athletes import services as athlete_services
from athletes.models import Role

from ...pages import role_required, run_service
from ..forms_setup import AthleteMoveForm, CoachInviteForm, TeamCoachesForm, TeamForm
from .athletes import _organisation_for


def _setup(anchor=""):
    return reverse("clinic:setup") + (f"#{anchor}" if anchor else "")


def _name(user):
    return user.get_full_name() or user.get_username()


@role_required("clinician")
def setup(request):
    organisation = _organisation_for(request.user)
    data = athlete_selectors.setup_overview(organisation=organisation) if organisation else {
        "teams": [], "members": [], "athletes": []}
    teams = data["teams"]
    members = data["members"]
    inactive = {m.user_id for m in members if not m.is_active}
    for team in teams:  # a deactivated coach stays on the team's list until a clinician changes its coaches
        team.coach_rows = [(_name(c), c.pk in inactive) for c in team.coaches.all()]
    return render(request, "clinic/setup.html", {
        "organisation": organisation, "teams": teams, "athletes": data["athletes"],
        "members": members, "roles": dict(Role.choices),
        "coach_count": sum(1 for m in members if m.role == Role.COACH and m.is_active),
        "team_form": TeamForm(), "invite_form": CoachInviteForm(),
    })


@role_required("clinician")
def team_create(request):
    organisation = _organisation_for(request.user)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = run_service(form, athlete_services.team_create, actor=request.user, organisation=organisation,
                           name=form.cleaned_data["name"])
        if team is not None:
            messages.success(request, f"Team “{team.name}” created. Next: choose its coaches.")
            return redirect(_setup(f"team-{team.pk}"))
    return render(request, "clinic/setup_form.html", {
        "form": form, "title": "Create a team", "button": "Create team", "organisation": organisation})


@role_required("clinician")
def team_rename(request, pk):
    team = athlete_selectors.setup_team_get(user=request.user, pk=pk)
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        old = team.name
        renamed = run_service(form, athlete_services.team_rename, actor=request.user, team=team,
                              name=form.cleaned_data["name"])
        if renamed is not None:
            messages.success(request, f"“{old}” is now called “{renamed.name}”.")
            return redirect(_setup(f"team-{team.pk}"))
    return render(request, "clinic/setup_form.html", {
        "form": form, "title": f"Rename the team “{team.name}”", "button": "Rename", "organisation": team.organisation})


@role_required("clinician")
def team_coaches(request, pk):
    team = athlete_selectors.setup_team_get(user=request.user, pk=pk)
    form = TeamCoachesForm(request.POST or None, organisation=team.organisation,
                           initial={"coaches": list(team.coaches.all())})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, athlete_services.team_coaches_set, actor=request.user, team=team,
                           coaches=form.cleaned_data["coaches"])
        if done is not None:
            names = ", ".join(_name(c) for c in form.cleaned_data["coaches"]) or "no coach"
            messages.success(request, f"“{team.name}” is coached by {names}.")
            return redirect(_setup(f"team-{team.pk}"))
    return render(request, "clinic/setup_form.html", {
        "form": form, "title": f"Coaches of “{team.name}”", "button": "Save coaches", "organisation": team.organisation})


@role_required("clinician")
def coach_invite(request):
    organisation = _organisation_for(request.user)
    form = CoachInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_service(form, athlete_services.coach_invite, actor=request.user, organisation=organisation,
                           **form.cleaned_data)
        if user is not None:
            messages.success(request, f"Invitation sent to {user.email}: they choose a password from the link, "
                                      "then you can put them in charge of a team.")
            return redirect(_setup("members"))
    return render(request, "clinic/setup_form.html", {
        "form": form, "title": "Invite a coach", "button": "Send the invitation", "organisation": organisation})


@role_required("clinician")
def athlete_move(request, pk):
    athlete = athlete_selectors.managed_athlete_get(user=request.user, pk=pk)
    form = AthleteMoveForm(request.POST or None, organisation=athlete.organisation, initial={"team": athlete.team})
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        moved = run_service(form, athlete_services.athlete_move, actor=request.user, athlete=athlete, team=team)
        if moved is not None:
            messages.success(request, f"{athlete.full_name} is now in {team.name if team else 'no team'}.")
            return redirect(_setup("athletes"))
    return render(request, "clinic/setup_form.html", {
        "form": form, "title": f"Move {athlete.full_name} to another team", "button": "Move",
        "organisation": athlete.organisation})


def _membership_switch(request, pk, service, done):
    membership = athlete_selectors.setup_membership_get(user=request.user, pk=pk)
    try:
        service(actor=request.user, membership=membership)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, done.format(name=_name(membership.user), org=membership.organisation.name))
    return redirect(_setup("members"))


@role_required("clinician")
@require_POST
def membership_deactivate(request, pk):
    return _membership_switch(request, pk, athlete_services.membership_deactivate,
                              "{name} is deactivated: they no longer see {org}'s athletes.")


@role_required("clinician")
@require_POST
def membership_reactivate(request, pk):
    return _membership_switch(request, pk, athlete_services.membership_reactivate,
                              "{name} is active again in {org}.")
