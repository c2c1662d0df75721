"""The coach rates a logged session's technique (tablet-friendly checklist)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from core.access import access_for
from core.views import role_required, run_service
from progression import evidence

from . import selectors
from .checklists import checklist_for_phase
from .forms_coach import TechniqueRatingForm


@role_required("coach", "clinician")
def rate_technique(request, pk):
    log = selectors.session_log_get(user=request.user, pk=pk)
    access = access_for(request.user)
    if not (access.can_manage_org(log.athlete.organisation_id) or log.athlete.team_id in access.coach_team_ids):
        raise PermissionDenied("Only the athlete's coach or clinician rates technique.")
    kind = request.GET.get("kind") if request.GET.get("kind") in ("drill", "smas") else checklist_for_phase(log.phase)
    form = TechniqueRatingForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        rating = run_service(form, evidence.technique_rating_enter, actor=request.user, session_log=log, kind=kind,
                             **form.cleaned_data)
        if rating is not None:
            messages.success(request, f"Technique {rating.score}% saved for {log.athlete.full_name}.")
            return redirect("coach:week")
    return render(request, "coach/rate.html", {"log": log, "form": form, "kind": kind,
                                               "ratings": log.technique_ratings.all()[:5]})


def technique_video(request, pk):
    """Serve an uploaded technique video to the athlete's care team only (never as a public media URL).

    The content type comes from the allowlist in `sessions.uploads`, and only when the stored bytes match it;
    anything else is an `application/octet-stream` download. Every answer is `nosniff`, `sandbox`ed (no script
    can run in it, whatever it holds) and never stored by a cache. In production the web server sends the bytes
    (django-sendfile2: X-Accel-Redirect / X-Sendfile); the app only checks access and sets the headers.
    """
    from django.contrib.auth.views import redirect_to_login
    from django.http import Http404
    from django_sendfile import sendfile

    from core.exceptions import NotFound

    from .uploads import read_head, serving_for

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        rating = selectors.technique_rating_get(user=request.user, pk=pk)
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
