"""Account pages outside the apps: the account page, "log out everywhere", the clinician's personal API token."""
from django.urls import path

from . import views_account, views_tokens

urlpatterns = [
    path("", views_account.account, name="account"),
    path("logout-everywhere/", views_account.logout_everywhere, name="logout_everywhere"),
    path("api-token/", views_tokens.api_token, name="api_token"),
]
