"""What every page view shares: the role gate, form errors from services, checked query-string integers, safe
redirects."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from core.access import access_for
from core.exceptions import Conflict, NotFound
from core.filters import MAX_ID


def role_required(*roles):
    """Pages for one role. Another role gets 403 (the page exists, it is not theirs); anonymous goes to login."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            access = access_for(request.user)
            ok = (
                ("clinician" in roles and access.is_clinician)
                or ("coach" in roles and access.is_coach)
                or ("athlete" in roles and access.is_athlete)
            )
            if not ok:
                raise PermissionDenied("This page is not for your role.")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc)) from None
        return wrapped
    return decorator


def query_int(request, name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """An integer from the query string (`?team=`, `?year=`, ...), or None if it is missing, not a whole number
    or outside `minimum` .. `maximum`. Pages treat a bad value as no value; nothing unchecked reaches a query."""
    raw = request.GET.get(name, "")
    if not raw or len(raw) > 20 or not raw.lstrip("-").isdecimal() or not raw.isascii():
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def apply_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or at the top)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def run_service(form, fn, *args, **kwargs):
    """Call a service for a valid form; on ValidationError / Conflict, attach the errors and return None."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


def safe_next(request, default: str) -> str:
    """The `next` parameter if it points at this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
