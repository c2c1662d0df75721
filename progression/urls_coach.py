from django.urls import path

from sessions.views_coach import rate_technique

from . import views_coach as views
from . import views_evidence

app_name = "coach"
urlpatterns = [
    path("", views.week, name="week"),
    path("week.<str:fmt>", views.week_export, name="week_export"),
    path("sessions/<int:pk>/rate/", rate_technique, name="rate"),
    path("sessions/<int:pk>/measure/", views_evidence.session_measure, name="measure"),
    path("ratings/<int:pk>/void/", views_evidence.rating_void, name="rating_void"),
]
