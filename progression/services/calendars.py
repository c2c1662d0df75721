"""Calendar subscriptions: create and revoke a private feed URL, and keep each served event's SEQUENCE.

Who may create which feed:
- scope "coach" (every team the user coaches): a coach;
- scope "team": a coach of that team, or a clinician of the team's organisation;
- scope "athlete": anyone who sees the athlete (the athlete, their coach, a clinician of their organisation).
Only the owner revokes their feed (a clinician may revoke any feed on an athlete or team of their organisation,
so a leaked URL can be shut by the clinic). Both writes are audited.
"""
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from athletes.models import Athlete, Team
from core import clock
from core.access import access_for
from core.audit import audit_record, snapshot

from ..models import CalendarEvent, CalendarFeed

FEED_AUDIT_FIELDS = ["owner", "scope", "team", "athlete", "created_at", "revoked_at"]  # never the secret


@transaction.atomic
def calendar_feed_create(*, actor, scope: str, team: Team | None = None, athlete: Athlete | None = None) -> CalendarFeed:
    access = access_for(actor)
    if scope == CalendarFeed.Scope.COACH:
        if not access.is_coach:
            raise PermissionDenied("Only a coach has a feed of all their teams.")
        team = athlete = None
    elif scope == CalendarFeed.Scope.TEAM:
        if team is None:
            raise ValidationError({"team": "Choose the team."})
        if team.pk not in access.coach_team_ids and not access.can_manage_org(team.organisation_id):
            raise PermissionDenied("Only the team's coach or a clinician of its organisation shares its calendar.")
        athlete = None
    elif scope == CalendarFeed.Scope.ATHLETE:
        if athlete is None:
            raise ValidationError({"athlete": "Choose the athlete."})
        if not Athlete.objects.filter(access.athlete_q(), pk=athlete.pk).exists():
            raise PermissionDenied("You do not see this athlete.")
        team = None
    else:
        raise ValidationError({"scope": "A feed is for all your teams, one team or one athlete."})
    feed = CalendarFeed.objects.create(owner=actor, scope=scope, team=team, athlete=athlete)
    audit_record(actor=actor, action="calendar_feed.create", target=feed, after=snapshot(feed, FEED_AUDIT_FIELDS))
    return feed


def can_revoke(user, feed: CalendarFeed) -> bool:
    if feed.owner_id == user.pk:
        return True
    org_id = feed.athlete.organisation_id if feed.athlete_id else feed.team.organisation_id if feed.team_id else None
    return org_id is not None and access_for(user).can_manage_org(org_id)


@transaction.atomic
def calendar_feed_revoke(*, actor, feed: CalendarFeed) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update(of=("self",)).select_related("athlete", "team").get(pk=feed.pk)
    if not can_revoke(actor, feed):
        raise PermissionDenied("Only the feed's owner or a clinician of the organisation revokes it.")
    if feed.revoked_at is not None:
        return feed
    before = snapshot(feed, FEED_AUDIT_FIELDS)
    feed.revoked_at = clock.now()
    feed.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="calendar_feed.revoke", target=feed, before=before,
                 after=snapshot(feed, FEED_AUDIT_FIELDS))
    return feed


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def calendar_events_record(*, plan, served: list[dict]) -> dict:
    """Record what a feed serves for `plan`: {date: CalendarEvent}, with SEQUENCE bumped where the prescription
    changed since the last fetch (its fingerprint differs), and the reason for the change kept with it.

    `served` is a list of {"date", "summary", "prescription", "reason"}: `prescription` is the text the fingerprint
    is taken from (the dose, target speeds and warnings), `reason` the plan's last decision in words. The event's
    description is the prescription and "Why: <reason>"; when the prescription changed but the decision did not
    (a new Vmax, other training days), the reason says so. Bookkeeping of the feed, not a clinical record: no audit
    event (the decisions and settings changes that caused the change have theirs).
    """
    existing = {e.date: e for e in CalendarEvent.objects.filter(plan=plan, date__in=[s["date"] for s in served])}
    out = {}
    for item in served:
        print_ = fingerprint(f"{item['summary']}\n{item['prescription']}")
        event = existing.get(item["date"])
        if event is None:
            event, created = CalendarEvent.objects.get_or_create(
                plan=plan, date=item["date"],
                defaults={"fingerprint": print_, "summary": item["summary"][:300], "reason": item["reason"],
                          "description": f"{item['prescription']}\n\nWhy: {item['reason']}"})
            if created:
                out[item["date"]] = event
                continue
        if event.fingerprint != print_:
            reason = item["reason"]
            if event.reason.endswith(reason):
                reason = f"Updated: the plan's settings changed (Vmax, training days or protocol). {reason}"
            # Conditional on the fingerprint read: two fetches at once bump the sequence once.
            CalendarEvent.objects.filter(pk=event.pk, fingerprint=event.fingerprint).update(
                sequence=F("sequence") + 1, fingerprint=print_, summary=item["summary"][:300],
                description=f"{item['prescription']}\n\nWhy: {reason}", reason=reason, updated_at=clock.now())
            event.refresh_from_db()
        out[item["date"]] = event
    return out
