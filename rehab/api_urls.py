"""The REST API, version 1: every app's api/urls.py under one "api" namespace (mounted at /api/v1/)."""
from athletes.api.urls import urlpatterns as athletes_urls
from core.api_urls import urlpatterns as core_urls
from imports.api.urls import urlpatterns as imports_urls
from progression.api.urls import urlpatterns as progression_urls

app_name = "api"
urlpatterns = [*athletes_urls, *progression_urls, *imports_urls, *core_urls]
