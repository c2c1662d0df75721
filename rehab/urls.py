from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("web.common.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("clinic/", include("web.clinic.urls")),
    path("coach/", include("web.coach.urls")),
    path("me/", include("web.me.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rehab.api_urls")),
    path("fhir/", include("fhirapi.urls")),
]
# Uploaded media (technique videos) are health data: served only through technique_video, never as /media/.
