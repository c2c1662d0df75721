"""Calendar subscriptions: the feed itself (no login: its secret URL is the credential) and the buttons that make
and revoke a feed, shown on the coach's week, the athlete's progress page and the clinician's athlete page."""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from athletes import selectors as athlete_selectors
from core import clock
from core.access import access_for
from core.exceptions import NotFound
from core.filters import MAX_ID
from progression.feeds import feed_calendar
from progression.models import CalendarFeed
from progression.selectors.calendars import calendar_feed_for_secret, calendar_feed_list
from progression.services.calendars import calendar_feed_create, calendar_feed_revoke, can_revoke

from ..pages import safe_next


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "sprint-rehab.invalid"


@never_cache
@require_GET
def calendar_feed(request, secret):
    """The subscription itself: text/calendar, 404 for an unknown or revoked secret."""
    feed = calendar_feed_for_secret(secret)
    if feed is None:
        raise Http404("No such calendar: it may have been revoked.")
    text = feed_calendar(feed, domain=_domain())
    if text is None:
        raise Http404("No such calendar.")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=clock.now())
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sprint-rehab.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _post_id(request, name) -> int | None:
    raw = request.POST.get(name, "")
    if not raw or len(raw) > 20 or not raw.isdecimal() or not raw.isascii():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


# HttpResponseRedirect, not redirect(): redirect("a b") would try it as a URL name (NoReverseMatch, a 500).
@login_required
@require_POST
def calendar_feed_new(request):
    """POST scope=coach | team (team=<id>) | athlete (athlete=<id>): a new private feed URL for the user."""
    scope = request.POST.get("scope", "")
    team = athlete = None
    try:
        if scope == CalendarFeed.Scope.TEAM:
            team_id = _post_id(request, "team")
            team = athlete_selectors.team_list(user=request.user).filter(pk=team_id).first() if team_id else None
            if team is None:
                raise Http404("No such team.")
        elif scope == CalendarFeed.Scope.ATHLETE:
            athlete_id = _post_id(request, "athlete")
            if athlete_id is None:
                raise Http404("No such athlete.")
            athlete = athlete_selectors.athlete_get(user=request.user, pk=athlete_id)
        calendar_feed_create(actor=request.user, scope=scope, team=team, athlete=athlete)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Calendar link made: copy it into your calendar app (subscribe by URL).")
    return HttpResponseRedirect(safe_next(request, "/"))


@login_required
@require_POST
def calendar_feed_revoke_view(request, pk):
    feed = CalendarFeed.objects.select_related("team", "athlete").filter(pk=pk, revoked_at__isnull=True).first()
    if feed is None or not can_revoke(request.user, feed) or access_for(request.user).user_id is None:
        raise Http404("No such calendar link.")
    calendar_feed_revoke(actor=request.user, feed=feed)
    messages.success(request, "Calendar link revoked: calendars subscribed to it stop updating.")
    return HttpResponseRedirect(safe_next(request, "/"))


def feed_links(request, *, scope, team_id=None, athlete_id=None) -> list[dict]:
    """The user's active feeds of one scope and target, with the URL to copy (for includes/_calendar_feeds.html)."""
    return [{"feed": f, "url": request.build_absolute_uri(reverse("calendar_feed", args=[f.secret])),
             "webcal": "webcal://" + request.build_absolute_uri(reverse("calendar_feed", args=[f.secret])).split("://", 1)[1]}
            for f in calendar_feed_list(user=request.user, scope=scope, team_id=team_id, athlete_id=athlete_id)]
