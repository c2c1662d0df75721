from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("injuries/<int:injury_pk>/assessments/new/", views.assessment_create, name="assessment_create"),
]
