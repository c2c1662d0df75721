"""Home (sends each role to its pages), notifications, health check, and helpers shared by page views."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .access import access_for
from .exceptions import Conflict, NotFound


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    role = access_for(request.user).primary_role
    if role == "clinician":
        return redirect("athletes:roster")
    if role == "coach":
        return redirect("coach:week")
    if role == "athlete":
        return redirect("me:today")
    return render(request, "core/no_role.html", status=403)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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


#: The largest id a row can have (bigint); SQLite raises OverflowError past it.
MAX_ID = 2**63 - 1


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


@login_required
def notifications(request):
    items = request.user.notifications.select_related("plan")[:100]
    return render(request, "core/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_mark_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications")


