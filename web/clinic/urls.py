"""The clinician's pages, under /clinic/."""
from django.urls import path

from .views import assessments, athletes, audit, corrections, plans, protocols, setup

app_name = "clinic"
urlpatterns = [
    path("", athletes.roster, name="roster"),
    path("athletes/new/", athletes.athlete_create, name="athlete_create"),
    path("athletes/<int:pk>/", athletes.athlete_detail, name="athlete"),
    path("athletes/<int:pk>/audit/", audit.athlete_audit, name="athlete_audit"),
    path("athletes/<int:pk>/export/", athletes.athlete_export, name="athlete_export"),
    path("athletes/<int:pk>/anonymise/", athletes.athlete_anonymise, name="athlete_anonymise"),
    path("athletes/<int:athlete_pk>/injuries/new/", athletes.injury_create, name="injury_create"),
    path("injuries/<int:injury_pk>/assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("athletes/<int:athlete_pk>/plan/new/", plans.plan_start, name="plan_start"),
    path("plans/<int:pk>/settings/", corrections.plan_settings, name="plan_settings"),
    path("plans/<int:pk>/<str:status>/", plans.plan_status, name="plan_status"),
    path("decisions/<int:pk>/sign-off/", plans.decision_sign_off, name="decision_sign_off"),
    path("decisions/<int:pk>/reject/", plans.decision_reject, name="decision_reject"),
    path("decisions/<int:pk>/override/", plans.decision_override, name="decision_override"),
    path("decisions/<int:pk>/clearance-report.pdf", plans.clearance_report, name="clearance_report"),
    path("sessions/<int:pk>/correct/", corrections.session_correct, name="session_correct"),
    path("sessions/<int:pk>/void/", corrections.session_void, name="session_void"),
    path("reports/<int:pk>/correct/", corrections.report_correct, name="report_correct"),
    path("reports/<int:pk>/void/", corrections.report_void, name="report_void"),
    path("assessments/<int:pk>/correct/", corrections.assessment_correct, name="assessment_correct"),
    path("assessments/<int:pk>/void/", corrections.assessment_void, name="assessment_void"),
    path("setup/", setup.setup, name="setup"),
    path("setup/teams/new/", setup.team_create, name="setup_team_create"),
    path("setup/teams/<int:pk>/rename/", setup.team_rename, name="setup_team_rename"),
    path("setup/teams/<int:pk>/coaches/", setup.team_coaches, name="setup_team_coaches"),
    path("setup/coaches/invite/", setup.coach_invite, name="setup_coach_invite"),
    path("setup/athletes/<int:pk>/team/", setup.athlete_move, name="setup_athlete_move"),
    path("setup/members/<int:pk>/deactivate/", setup.membership_deactivate, name="setup_membership_deactivate"),
    path("setup/members/<int:pk>/reactivate/", setup.membership_reactivate, name="setup_membership_reactivate"),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", protocols.protocol_detail, name="protocol_detail"),
    path("protocols/<int:pk>/edit/", protocols.protocol_edit, name="protocol_edit"),
    path("protocols/<int:pk>/bench/", protocols.protocol_bench, name="protocol_bench"),
]
