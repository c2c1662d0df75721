"""The athlete's phone pages, under /me/."""
from django.urls import path

from . import views

app_name = "me"
urlpatterns = [
    path("", views.today, name="today"),
    path("log/", views.log_session, name="log"),
    path("sessions/<int:pk>/stop/", views.stop, name="stop"),
    path("sessions/<int:pk>/edit/", views.edit_session, name="edit_session"),
    path("sessions/<int:pk>/morning/", views.report, name="report"),
    path("progress/", views.progress, name="progress"),
    path("progress/my-data.zip", views.export, name="export"),
    path("warning-signs/", views.warning_signs, name="warning_signs"),
    path("sw.js", views.service_worker, name="service_worker"),
]
