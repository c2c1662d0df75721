"""The live calendar subscription: parsed with icalendar before and after the prescription changes."""
import datetime

import icalendar
import pytest
from django.urls import reverse

from core.models import AuditEvent
from progression import services
from progression.models import CalendarEvent, CalendarFeed, Protocol
from progression.services.calendars import calendar_feed_create, calendar_feed_revoke
from tests.conftest import clean_p0_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    return services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                               advance_requires_signoff=False)


def fetch(client, feed) -> icalendar.Calendar:
    response = client.get(reverse("calendar_feed", args=[feed.secret]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> dict:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def advance(world, plan):
    clean_p0_evidence(world, plan)
    decision = services.plan_evaluate(plan=plan, actor=world.clinician, trigger="manual")
    assert decision.outcome == "advance" and decision.status == "applied", (decision.outcome, decision.status)
    plan.refresh_from_db()
    assert plan.current_phase == 1


def test_an_advance_keeps_every_uid_and_raises_the_sequence(world, plan, client):
    feed = calendar_feed_create(actor=world.coach, scope="coach")
    before = events(fetch(client, feed))
    assert before, "the coach's feed serves the athlete's prescribed sessions"
    assert all(int(e["sequence"]) == 0 for e in before.values())
    assert all(str(e["summary"]).endswith("P0") for e in before.values())
    again = events(fetch(client, feed))
    assert {u: int(e["sequence"]) for u, e in again.items()} == {u: 0 for u in before}, "no change, no new sequence"

    advance(world, plan)
    after = events(fetch(client, feed))
    today = world.org.today()
    future = {u for u, e in before.items() if e.decoded("dtstart") >= today}
    assert future and future <= set(after), "the same UIDs: the calendar updates the events, it adds none"
    changed = [u for u in future if u in after and str(after[u]["summary"]).endswith("P1")]
    assert changed, "the prescription of the coming days is P1's now"
    for uid in changed:
        assert int(after[uid]["sequence"]) == int(before[uid]["sequence"]) + 1
        description = str(after[uid]["description"])
        assert "Advanced from P0 to P1" in description, description
    # The description carries the dose and target speeds of each item.
    assert any("x" in str(e["description"]) or " m" in str(e["description"]) for e in after.values())


def test_a_regression_raises_the_sequence_again_with_its_reason(world, plan, client):
    feed = calendar_feed_create(actor=world.athlete_user, scope="athlete", athlete=world.athlete)
    advance(world, plan)
    first = events(fetch(client, feed))
    decision = plan.decisions.order_by("-created_at").first()
    services.decision_override(actor=world.clinician, decision=decision, to_phase=0, reason="tight after the match",
                               expected_version=plan.version)
    second = events(fetch(client, feed))
    common = set(first) & set(second)
    back = [u for u in common if str(first[u]["summary"]).endswith("P1") and str(second[u]["summary"]).endswith("P0")]
    assert back, "the coming days are P0's again"
    for uid in back:
        assert int(second[uid]["sequence"]) == int(first[uid]["sequence"]) + 1
        assert "tight after the match" in str(second[uid]["description"])


def test_team_feed_shows_only_that_team_and_athlete_feed_only_that_athlete(world, plan, client):
    from athletes.models import Injury

    other_injury = Injury.objects.create(athlete=world.other_athlete, side="left", bamic_grade=1,
                                         date_of_injury=world.org.today() - datetime.timedelta(days=10))
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    services.plan_start(actor=world.clinician, injury=other_injury, protocol=protocol)
    team_feed = calendar_feed_create(actor=world.clinician, scope="team", team=world.team)
    summaries = {str(e["summary"]) for e in events(fetch(client, team_feed)).values()}
    assert summaries and all(s.startswith("Alex Runner") for s in summaries)
    other = calendar_feed_create(actor=world.other_coach, scope="coach")
    summaries = {str(e["summary"]) for e in events(fetch(client, other)).values()}
    assert summaries and all(s.startswith("Sam Other") for s in summaries)


def test_a_revoked_url_is_404_and_the_revocation_is_audited(world, plan, client):
    feed = calendar_feed_create(actor=world.coach, scope="coach")
    fetch(client, feed)
    calendar_feed_revoke(actor=world.coach, feed=feed)
    assert client.get(reverse("calendar_feed", args=[feed.secret])).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoke", target_id=str(feed.pk)).exists()
    assert "secret" not in str(AuditEvent.objects.filter(action="calendar_feed.create").get().after)
    assert client.get("/calendar/not-a-secret.ics").status_code == 404


def test_a_feed_follows_its_owner_access(world, plan, client):
    """A coach taken off the team: their feed stops showing the team's athletes (404: nothing left to see)."""
    feed = calendar_feed_create(actor=world.coach, scope="team", team=world.team)
    fetch(client, feed)
    world.team.coaches.remove(world.coach)
    assert client.get(reverse("calendar_feed", args=[feed.secret])).status_code == 404
    world.coach.is_active = False
    world.coach.save()
    assert client.get(reverse("calendar_feed", args=[feed.secret])).status_code == 404


def test_who_may_make_which_feed(world, plan):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        calendar_feed_create(actor=world.athlete_user, scope="coach")
    with pytest.raises(PermissionDenied):
        calendar_feed_create(actor=world.other_coach, scope="team", team=world.team)
    with pytest.raises(PermissionDenied):
        calendar_feed_create(actor=world.other_clinician, scope="athlete", athlete=world.athlete)
    with pytest.raises(PermissionDenied):
        calendar_feed_create(actor=world.other_athlete_user, scope="athlete", athlete=world.athlete)
    assert not CalendarFeed.objects.exists()


def test_past_days_are_served_as_they_were(world, plan, client, monkeypatch):
    """An advance does not rewrite yesterday's event: the past is served from what was recorded then."""
    from core import clock

    feed = calendar_feed_create(actor=world.coach, scope="coach")
    fetch(client, feed)
    first_day = CalendarEvent.objects.order_by("date").first()
    later = clock.now() + datetime.timedelta(days=(first_day.date - world.org.today()).days + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    advance(world, plan)
    served = events(fetch(client, feed))
    past = [e for e in served.values() if e.decoded("dtstart") == first_day.date]
    assert past and str(past[0]["summary"]).endswith("P0") and int(past[0]["sequence"]) == 0


def test_pages_make_and_revoke_links(world, plan, client_for):
    coach = client_for(world.coach)
    page = coach.get(reverse("coach:week") + f"?team={world.team.pk}")
    assert b"Make a calendar link" in page.content
    coach.post(reverse("calendar_feed_new"), {"scope": "team", "team": world.team.pk, "next": "/coach/"})
    feed = CalendarFeed.objects.get(owner=world.coach, scope="team")
    page = coach.get(reverse("coach:week") + f"?team={world.team.pk}")
    assert feed.secret.encode() in page.content
    coach.post(reverse("calendar_feed_revoke", args=[feed.pk]), {"next": "/coach/"})
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    me = client_for(world.athlete_user)
    me.post(reverse("calendar_feed_new"), {"scope": "athlete", "athlete": world.athlete.pk})
    assert CalendarFeed.objects.get(owner=world.athlete_user).secret.encode() in me.get(reverse("me:progress")).content
    clinic = client_for(world.clinician)
    clinic.post(reverse("calendar_feed_new"), {"scope": "athlete", "athlete": world.athlete.pk})
    secret = CalendarFeed.objects.get(owner=world.clinician).secret
    assert secret.encode() in clinic.get(reverse("clinic:athlete", args=[world.athlete.pk])).content
    # bad input: a plain refusal, never a 500
    assert coach.post(reverse("calendar_feed_new"), {"scope": "team", "team": "abc"}).status_code == 404
    assert coach.post(reverse("calendar_feed_new"), {"scope": "nonsense"}).status_code == 302


def test_a_new_vmax_changes_the_target_speeds_and_raises_the_sequence(world, client):
    """P4 prescribes target speeds from the athlete's Vmax: a new Vmax is a changed prescription (SEQUENCE up, the
    new speeds in the description); a re-evaluation that keeps the plan where it is (a hold) changes nothing."""
    from decimal import Decimal

    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    world.athlete.vmax_mps = Decimal("9.00")
    world.athlete.save()
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_phase=4)
    feed = calendar_feed_create(actor=world.coach, scope="team", team=world.team)
    before = events(fetch(client, feed))
    assert any("m/s" in str(e["description"]) for e in before.values())
    services.plan_evaluate(plan=plan, actor=world.clinician, trigger="manual")  # a hold: nothing to show yet
    held = events(fetch(client, feed))
    assert {u: int(e["sequence"]) for u, e in held.items()} == {u: 0 for u in before}
    plan.refresh_from_db()
    services.plan_settings_update(actor=world.clinician, plan=plan, expected_version=plan.version,
                                  vmax_mps=Decimal("10.00"))
    after = events(fetch(client, feed))
    speeds = [u for u, e in before.items() if "m/s" in str(e["description"])]
    assert speeds
    for uid in speeds:
        assert int(after[uid]["sequence"]) == 1
        assert str(after[uid]["description"]) != str(before[uid]["description"])
        assert "the plan's settings changed" in str(after[uid]["description"])
