"""API endpoints that belong to no app: the caller's personal token."""
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_auth import TOKEN_ENDPOINT_AUTHENTICATION, AuthRateThrottle
from .api_base import ApiMixin, ErrorSerializer, IsClinician
from .tokens import api_token_create, api_token_revoke


class TokenOutput(serializers.Serializer):
    key = serializers.CharField(help_text="Send it as `Authorization: Token <key>`. Shown only in this answer: "
                                          "only a digest of it is stored.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(help_text="The token stops working at this time (UTC); create a new one before.")


class TokenView(ApiMixin, APIView):
    """Create (or rotate) and revoke the caller's personal token. Clinicians only; throttled ("auth" rate).

    Besides a session or the current token, the caller may authenticate with username and password (HTTP Basic):
    that is how an integration gets its first token, and django-axes locks it out like the login page.
    """

    authentication_classes = TOKEN_ENDPOINT_AUTHENTICATION
    permission_classes = (IsClinician,)
    throttle_classes = (AuthRateThrottle,)

    @extend_schema(
        operation_id="token_create", request=None, tags=["tokens"],
        summary="Create or rotate your personal API token",
        description="Creates a token for the caller; an existing one is revoked first (a rotation). Clinicians only. "
                    "Authenticate with the current token, a session, or username and password (HTTP Basic: "
                    "after 5 wrong passwords for one username from one address, 429 for 15 minutes). "
                    "The key is in this answer only; it expires after 90 days.",
        responses={201: TokenOutput, 403: ErrorSerializer, 429: ErrorSerializer},
        examples=[OpenApiExample("New token", response_only=True, status_codes=["201"], value={
            "key": "3c1e5d0f7a9b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d",
            "created": "2025-03-04T09:15:02.123456Z", "expiry": "2025-06-02T09:15:02.123456Z"})],
    )
    def post(self, request):
        token, key = api_token_create(actor=request.user)
        return Response(TokenOutput({"key": key, "created": token.created, "expiry": token.expiry}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="token_revoke", request=None, tags=["tokens"], summary="Revoke your personal API token",
        description="Integrations using the token stop working at once. Answers 204 whether or not there was one.",
        responses={204: OpenApiResponse(description="Revoked (or there was none)."), 403: ErrorSerializer,
                   429: ErrorSerializer},
    )
    def delete(self, request):
        api_token_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
