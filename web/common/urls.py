"""The pages every role has, at the root of the site."""
from django.contrib.auth import views as auth_views
from django.urls import path

from . import calendars, views
from .forms import ThrottledPasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Throttled per account and per address; the same answer whether or not an email went out.
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
         name="password_reset"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("plans/<int:pk>/notes/", views.plan_notes, name="plan_notes"),
    path("technique/<int:pk>/video/", views.technique_video, name="technique_video"),
    path("account/", views.account, name="account"),
    path("account/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("account/api-token/", views.api_token, name="api_token"),
    # Calendar subscriptions: the feed needs no login (its secret is the credential); making and revoking do.
    path("calendar/<str:secret>.ics", calendars.calendar_feed, name="calendar_feed"),
    path("calendar/feeds/new/", calendars.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/feeds/<int:pk>/revoke/", calendars.calendar_feed_revoke_view, name="calendar_feed_revoke"),
]
