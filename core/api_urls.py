"""API routes that belong to no app: tokens, the OpenAPI schema and its Swagger UI."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .api_views import TokenView

urlpatterns = [
    path("tokens/", TokenView.as_view(), name="tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
