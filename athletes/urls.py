from django.urls import path

from . import views

app_name = "athletes"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("athletes/new/", views.athlete_create, name="create"),
    path("athletes/<int:pk>/", views.athlete_detail, name="detail"),
    path("athletes/<int:athlete_pk>/injuries/new/", views.injury_create, name="injury_create"),
]
