from django.urls import path

from . import views

app_name = "progression"
urlpatterns = [
    path("athletes/<int:athlete_pk>/plan/new/", views.plan_start, name="plan_start"),
    path("plans/<int:pk>/<str:status>/", views.plan_status, name="plan_status"),
    path("decisions/<int:pk>/sign-off/", views.decision_sign_off, name="decision_sign_off"),
    path("decisions/<int:pk>/reject/", views.decision_reject, name="decision_reject"),
    path("decisions/<int:pk>/override/", views.decision_override, name="decision_override"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", views.protocol_detail, name="protocol_detail"),
    path("protocols/<int:pk>/edit/", views.protocol_edit, name="protocol_edit"),
    path("protocols/<int:pk>/bench/", views.protocol_bench, name="protocol_bench"),
]
