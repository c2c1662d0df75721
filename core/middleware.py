"""Request-wide security: headers on every answer, and the idle timeout for staff sessions."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from . import clock
from .access import access_for

LAST_SEEN = "_rehab_last_seen"
WRITE_EVERY_SECONDS = 60  # the session is written at most once a minute, not on every request


NO_STORE = "no-store, private"


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer, and Cache-Control: no-store, private on every answer that may carry
    health data: pages, API answers, CSV and iCalendar exports, videos. An answer that already says no-store
    (never_cache, the video view) keeps its own wording.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        exempt = tuple(getattr(settings, "CACHE_CONTROL_EXEMPT_PREFIXES", ()))
        if not request.path.startswith(exempt) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
            if response.has_header("Expires"):
                del response["Expires"]
        return response


def idle_timeout_for(user):
    """The idle timeout that applies to this user (a timedelta), or None (athletes: their own data only)."""
    access = access_for(user)
    if access.is_clinician or access.is_coach or access.is_staff:
        return settings.CLINICIAN_IDLE_TIMEOUT
    return None


class IdleTimeoutMiddleware:
    """Log clinicians, coaches and staff out after CLINICIAN_IDLE_TIMEOUT without a request (default 8 hours).

    The time of the last request is kept in the session (core.clock, so tests move it instead of sleeping).
    A page request after the timeout goes to the login page with a message; an API request carries on as
    anonymous, so it gets the API's 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timeout = idle_timeout_for(user)
            if timeout is not None:
                now = clock.now().timestamp()
                last = request.session.get(LAST_SEEN)
                if isinstance(last, int | float) and now - last > timeout.total_seconds():
                    logout(request)
                    hours = timeout.total_seconds() / 3600
                    messages.info(request, f"You were logged out after {hours:g} hours without activity, to protect "
                                           "your athletes' records. Log in again to carry on.")
                    if not request.path.startswith("/api/"):
                        return redirect_to_login(request.get_full_path())
                elif not isinstance(last, int | float) or abs(now - last) >= WRITE_EVERY_SECONDS:
                    request.session[LAST_SEEN] = now
        return self.get_response(request)


def stamp_login(sender, request, user, **kwargs):
    """user_logged_in: the idle clock starts at the login (and the first page needs no session write)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = clock.now().timestamp()
