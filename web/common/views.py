"""Pages every role has: home (sends each role to its pages), the health check, notifications, the plan's notes,
the technique video, the account page with "log out everywhere", and the clinician's API token."""
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_sendfile import sendfile

from core import services as core_services
from core.access import access_for
from core.exceptions import NotFound
from core.middleware import idle_timeout_for
from core.security import logout_everywhere as end_every_session
from core.tokens import api_token_create, api_token_get, api_token_revoke
from progression import selectors as plan_selectors
from progression import services as plan_services
from sessions import selectors as session_selectors
from sessions.uploads import read_head, serving_for

from ..pages import role_required, run_service
from .forms import NoteForm


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    role = access_for(request.user).primary_role
    if role == "clinician":
        return redirect("clinic:roster")
    if role == "coach":
        return redirect("coach:week")
    if role == "athlete":
        return redirect("me:today")
    return render(request, "common/no_role.html", status=403)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def notifications(request):
    items = request.user.notifications.select_related("plan")[:100]
    return render(request, "common/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_mark_read(request):
    core_services.notifications_mark_read(actor=request.user)
    return redirect("notifications")


@login_required
def plan_notes(request, pk):
    """The plan's conversation, shared by the athlete, their coach and their clinicians."""
    try:
        plan = plan_selectors.plan_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such plan.") from None
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = run_service(form, plan_services.plan_note_create, actor=request.user, plan=plan,
                           body=form.cleaned_data["body"])
        if note is not None:
            messages.success(request, "Note added.")
            return redirect("plan_notes", pk=plan.pk)
    notes = plan.notes.select_related("author")
    return render(request, "common/notes.html", {"plan": plan, "notes": notes, "form": form})


def technique_video(request, pk):
    """Serve an uploaded technique video to the athlete's care team only (never as a public media URL).

    The content type comes from the allowlist in `sessions.uploads`, and only when the stored bytes match it;
    anything else is an `application/octet-stream` download. Every answer is `nosniff`, `sandbox`ed (no script
    can run in it, whatever it holds) and never stored by a cache. In production the web server sends the bytes
    (django-sendfile2: X-Accel-Redirect / X-Sendfile); the app only checks access and sets the headers.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        rating = session_selectors.technique_rating_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such video.") from None
    if not rating.video:
        raise Http404("This rating has no uploaded video.")
    try:
        with rating.video.open("rb") as stored:
            head = read_head(stored)
        path = rating.video.path
    except (FileNotFoundError, NotImplementedError, ValueError):
        raise Http404("This video is no longer stored.") from None
    serving = serving_for(rating.video.name, head, pk=rating.pk)
    response = sendfile(request, path, attachment=not serving.inline, attachment_filename=serving.filename,
                        mimetype=serving.content_type)
    if response.has_header("Content-Encoding"):
        del response["Content-Encoding"]  # guessed from a stored name such as x.gz: the bytes go out as stored
    response["Content-Type"] = serving.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account(request):
    access = access_for(request.user)
    timeout = idle_timeout_for(request.user)
    return render(request, "common/account.html", {
        "token": api_token_get(user=request.user) if access.is_clinician else None,
        "is_clinician": access.is_clinician,
        "idle_timeout_hours": timeout.total_seconds() / 3600 if timeout else None,
    })


@login_required
@require_POST
def logout_everywhere(request):
    """End every session of the user, this one included, and revoke their API tokens."""
    ended = end_every_session(actor=request.user)
    logout(request)
    tokens = ended["tokens"]
    messages.success(request, "You are logged out on every device" +
                     (f", and your API token{'s' if tokens > 1 else ''} no longer work{'' if tokens > 1 else 's'}."
                      if tokens else ".") + " Log in again here.")
    return redirect("login")


@never_cache
@role_required("clinician")
def api_token(request):
    """GET shows whether a token exists. POST action=create shows the new key once; action=revoke removes it."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_token_create(actor=request.user)[1]
        elif action == "revoke":
            if api_token_revoke(actor=request.user):
                messages.success(request, "Token revoked: integrations using it stop working now.")
            else:
                messages.info(request, "There was no token to revoke.")
            return redirect("api_token")
        else:
            messages.error(request, "Choose to create or to revoke the token.")
            return redirect("api_token")
    return render(request, "common/api_token.html", {"token": api_token_get(user=request.user), "new_key": new_key})
