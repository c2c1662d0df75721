"""The product's URLs plus the benchmark's floor: the cheapest page the stack can serve to a logged-in user."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def floor(request):
    request.user.pk  # noqa: B018 (touch the user: the session and user lookups every page pays)
    return HttpResponse(b"ok\r\n", content_type="text/plain")


urlpatterns = [
    path("_bench/floor/", floor, name="bench-floor"),
    path("", include("rehab.urls")),
]
