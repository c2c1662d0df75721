"""API routes that belong to no app: tokens, the OpenAPI schema and its Swagger UI.

The schema and the docs are for logged-in users of any role (athletes' phone apps use the /me/ endpoints too);
anonymous callers get a 401 (schema) or the login page (docs). The docs page is the split Swagger view: its
start-up script comes from its own URL, so the site's Content-Security-Policy needs no inline script. Swagger UI
draws its icons as data: images: that page alone adds data: to img-src.
"""
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api_views import TokenView

urlpatterns = [
    path("tokens/", TokenView.as_view(), name="tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", csp_update({"img-src": ["data:"]})(
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))), name="docs"),
]
