"""The clinician's pages, under /clinic/."""
from django.urls import path

from .views import assessments, athletes, corrections, imports, plans, protocols

app_name = "clinic"
urlpatterns = [
    path("", athletes.roster, name="roster"),
    path("athletes/new/", athletes.athlete_create, name="athlete_create"),
    path("athletes/<int:pk>/", athletes.athlete_detail, name="athlete"),
    path("athletes/<int:athlete_pk>/injuries/new/", athletes.injury_create, name="injury_create"),
    path("injuries/<int:injury_pk>/assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("athletes/<int:athlete_pk>/plan/new/", plans.plan_start, name="plan_start"),
    path("plans/<int:pk>/settings/", corrections.plan_settings, name="plan_settings"),
    path("plans/<int:pk>/<str:status>/", plans.plan_status, name="plan_status"),
    path("decisions/<int:pk>/sign-off/", plans.decision_sign_off, name="decision_sign_off"),
    path("decisions/<int:pk>/reject/", plans.decision_reject, name="decision_reject"),
    path("decisions/<int:pk>/override/", plans.decision_override, name="decision_override"),
    path("sessions/<int:pk>/correct/", corrections.session_correct, name="session_correct"),
    path("sessions/<int:pk>/void/", corrections.session_void, name="session_void"),
    path("reports/<int:pk>/correct/", corrections.report_correct, name="report_correct"),
    path("reports/<int:pk>/void/", corrections.report_void, name="report_void"),
    path("assessments/<int:pk>/correct/", corrections.assessment_correct, name="assessment_correct"),
    path("assessments/<int:pk>/void/", corrections.assessment_void, name="assessment_void"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/mappings/", imports.import_mappings, name="import_mappings"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/undo/", imports.import_undo, name="import_undo"),
    path("imports/vmax/<int:pk>/", imports.vmax_proposal_decide, name="vmax_proposal_decide"),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", protocols.protocol_detail, name="protocol_detail"),
    path("protocols/<int:pk>/edit/", protocols.protocol_edit, name="protocol_edit"),
    path("protocols/<int:pk>/bench/", protocols.protocol_bench, name="protocol_bench"),
]
