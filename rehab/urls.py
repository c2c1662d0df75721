from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from progression.views_notes import plan_notes

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_mark_read, name="notifications_mark_read"),
    path("clinic/", include("athletes.urls")),
    path("clinic/", include("sessions.urls")),
    path("clinic/", include("progression.urls")),
    path("coach/", include("progression.urls_coach")),
    path("plans/<int:pk>/notes/", plan_notes, name="plan_notes"),
    path("me/", include("sessions.urls_athlete")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
