"""Account pages outside the apps: the clinician's personal API token."""
from django.urls import path

from . import views_tokens

urlpatterns = [
    path("api-token/", views_tokens.api_token, name="api_token"),
]
