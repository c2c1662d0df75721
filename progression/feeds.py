"""The live calendar subscription: a feed's events (stable UID per plan and day, SEQUENCE up when the prescription
changes) as iCalendar text. Reads through `selectors.calendars`, records what it served through
`services.calendars.calendar_events_record`, draws with `exports.feed_ics`.

The window: the last PAST_DAYS days (served as they were, from what was recorded then) and today to the end of the
WEEKS_AHEAD-th week after this one (computed now from the plan's current phase, the athlete's training days and Vmax).
"""
import datetime

from core import clock

from .exports import feed_event_uid, feed_ics, prescription_text
from .models import CalendarEvent, CalendarFeed
from .selectors.calendars import calendar_feed_plans, plan_change_reason
from .selectors.week import plan_week
from .services.calendars import calendar_events_record

PAST_DAYS = 28
WEEKS_AHEAD = 3


def feed_events(feed: CalendarFeed, *, now=None) -> list[dict] | None:
    """The events the feed serves now, or None when its target is out of its owner's sight."""
    plans = calendar_feed_plans(feed)
    if plans is None:
        return None
    now = now or clock.now()
    events = []
    for plan in plans:
        athlete = plan.injury.athlete
        today = athlete.organisation.today(now)
        reason = plan_change_reason(plan)
        served = []
        for offset in range(WEEKS_AHEAD + 1):
            year, week, _ = (today + datetime.timedelta(weeks=offset)).isocalendar()
            rx = plan_week(plan, iso_year=year, iso_week=week)
            for day in rx.days:
                if day.date < today:
                    continue
                summary, text = prescription_text(athlete, rx, day)
                served.append({"date": day.date, "summary": summary, "prescription": text, "reason": reason})
        recorded = calendar_events_record(plan=plan, served=served)
        past = CalendarEvent.objects.filter(plan=plan, date__gte=today - datetime.timedelta(days=PAST_DAYS),
                                            date__lt=today)
        for event in [*past, *(recorded[d] for d in sorted(recorded))]:
            events.append({"uid": None, "plan_id": plan.pk, "date": event.date, "sequence": event.sequence,
                           "summary": event.summary, "description": event.description,
                           "last_modified": event.updated_at})
    return events


def feed_calendar(feed: CalendarFeed, *, domain: str, now=None) -> str | None:
    """The feed as iCalendar text, or None (404)."""
    now = now or clock.now()
    events = feed_events(feed, now=now)
    if events is None:
        return None
    for e in events:
        e["uid"] = feed_event_uid(e["plan_id"], e["date"], domain)
    return feed_ics(events, calendar_name=feed_title(feed), dtstamp=now)


def feed_title(feed: CalendarFeed) -> str:
    if feed.scope == CalendarFeed.Scope.TEAM:
        return f"Sprint rehab: {feed.team.name}"
    if feed.scope == CalendarFeed.Scope.ATHLETE:
        return f"Sprint rehab: {feed.athlete.full_name}"
    return "Sprint rehab: my teams"
