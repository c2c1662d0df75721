"""API authentication and its throttles: knox tokens (hashed, expiring) throttled per client address after
failures, HTTP Basic for the token endpoint behind the login lockout, and their OpenAPI security schemes."""

from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.authentication import BasicAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .net import client_ip

# Ids are bigints: anything outside 1 .. 2**63-1 cannot exist, and must not reach the database


# --- throttling -------------------------------------------------------------------------------------------

class AuthRateThrottle(SimpleRateThrottle):
    """The "auth" scope (rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), per user or, anonymous, per address.

    The rate is read when the throttle is built, not when the module is imported, so a test can change it.
    """

    scope = "auth"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The client address behind our own proxies only (core.net, TRUSTED_PROXY_COUNT), never a value the
        # client chose: DRF's default keys on X-Forwarded-For as sent, so rotating it escaped the throttle.
        return client_ip(request)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class FailedTokenThrottle(AuthRateThrottle):
    """Counts failed token authentications per client address, at the "auth" rate.

    The counts live in the default cache, which is Redis when REDIS_URL is set: every gunicorn worker sees the
    same count (a per-process cache let each worker grant its own allowance).
    """

    scope = "auth"
    cache_format = "throttle_%(scope)s_failed_token_%(ident)s"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def exhausted(self, request) -> float | None:
        """Seconds to wait when this address has used up its failures, else None. Records nothing."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, None)
        self.history = cache.get(self.key, [])
        self.now = self.timer()
        self.history = [t for t in self.history if t > self.now - self.duration]
        return self.wait() if len(self.history) >= self.num_requests else None

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self.exhausted(request)
        self.history.insert(0, self.now)
        cache.set(self.key, self.history, self.duration)


class ThrottledTokenAuthentication(KnoxTokenAuthentication):
    """Token authentication (knox: hashed, expiring tokens) that stops answering an address after too many wrong
    tokens (429)."""

    keyword = "Token"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).lower().encode():
            return None
        throttle = FailedTokenThrottle()
        wait = throttle.exhausted(request)
        if wait is not None:
            raise Throttled(wait=wait, detail="Too many failed authentication attempts. Try again later.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's name and description for the token scheme (knox's own extension would call it knoxApiToken)."""

    target_class = ThrottledTokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": 'Token-based authentication with required prefix "Token". Tokens expire (90 days '
                               "by default) and are revoked when their owner's password changes."}


class LockedOut(APIException):
    status_code = 429
    default_code = "locked_out"


class LockoutAwareBasicAuthentication(BasicAuthentication):
    """Username and password (HTTP Basic), for the token endpoint only: how an integration gets its first token.

    The password goes through django.contrib.auth.authenticate, so django-axes counts the failures and refuses a
    locked-out username + address like the login page does; a refusal by the lockout is a 429 that says so.
    """

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                from .security import lockout_message

                raise LockedOut(lockout_message()) from None
            raise


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = LockoutAwareBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic",
                "description": "Username and password, on the token endpoint only (to get a token). Wrong passwords "
                               "lock the username out from your address for a while (429)."}


API_AUTHENTICATION = (ThrottledTokenAuthentication, SessionAuthentication)
TOKEN_ENDPOINT_AUTHENTICATION = (ThrottledTokenAuthentication, LockoutAwareBasicAuthentication, SessionAuthentication)
