from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from core.forms import ThrottledPasswordResetForm
from progression.views_notes import plan_notes
from sessions.views_coach import technique_video

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Throttled per account and per address; the same answer whether or not an email went out (core.forms).
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
         name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_mark_read, name="notifications_mark_read"),
    path("clinic/", include("athletes.urls")),
    path("clinic/", include("sessions.urls")),
    path("clinic/", include("progression.urls")),
    path("coach/", include("progression.urls_coach")),
    path("plans/<int:pk>/notes/", plan_notes, name="plan_notes"),
    path("technique/<int:pk>/video/", technique_video, name="technique_video"),
    path("me/", include("sessions.urls_athlete")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rehab.api_urls")),
    path("account/", include("core.urls_account")),
]
# Uploaded media (technique videos) are health data: served only through technique_video, never as /media/.
