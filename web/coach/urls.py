"""The coach's pages, under /coach/."""
from django.urls import path

from . import views

app_name = "coach"
urlpatterns = [
    path("", views.week, name="week"),
    path("week.<str:fmt>", views.week_export, name="week_export"),
    path("sessions/<int:pk>/rate/", views.rate_technique, name="rate"),
    path("sessions/<int:pk>/measure/", views.session_measure, name="measure"),
    path("ratings/<int:pk>/void/", views.rating_void, name="rating_void"),
]
