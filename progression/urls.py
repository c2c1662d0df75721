from django.urls import path

from . import views, views_evidence

app_name = "progression"
urlpatterns = [
    path("athletes/<int:athlete_pk>/plan/new/", views.plan_start, name="plan_start"),
    path("plans/<int:pk>/settings/", views_evidence.plan_settings, name="plan_settings"),
    path("plans/<int:pk>/<str:status>/", views.plan_status, name="plan_status"),
    path("sessions/<int:pk>/correct/", views_evidence.session_correct, name="session_correct"),
    path("sessions/<int:pk>/void/", views_evidence.session_void, name="session_void"),
    path("reports/<int:pk>/correct/", views_evidence.report_correct, name="report_correct"),
    path("reports/<int:pk>/void/", views_evidence.report_void, name="report_void"),
    path("assessments/<int:pk>/correct/", views_evidence.assessment_correct, name="assessment_correct"),
    path("assessments/<int:pk>/void/", views_evidence.assessment_void, name="assessment_void"),
    path("decisions/<int:pk>/sign-off/", views.decision_sign_off, name="decision_sign_off"),
    path("decisions/<int:pk>/reject/", views.decision_reject, name="decision_reject"),
    path("decisions/<int:pk>/override/", views.decision_override, name="decision_override"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", views.protocol_detail, name="protocol_detail"),
    path("protocols/<int:pk>/edit/", views.protocol_edit, name="protocol_edit"),
    path("protocols/<int:pk>/bench/", views.protocol_bench, name="protocol_bench"),
]
