"""Calendar subscriptions in Chromium: a coach makes the team's link on the week page, a calendar reads it, the
athlete makes their own on the phone, and a revoked link stops answering."""
import icalendar
import pytest
from playwright.sync_api import expect

from progression import services
from progression.models import Protocol
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.test_flows import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_make_copy_subscribe_and_revoke(live_server, browser, world, shoot):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol)
    base = live_server.url

    tablet = browser.new_context(**TABLET)
    page = tablet.new_page()
    login(page, base, "coach")
    page.goto(f"{base}/coach/?team={world.team.pk}")
    box = page.locator("section.calendar-feeds", has_text="Live calendar: Firsts")
    box.get_by_role("button", name="Make a calendar link").click()
    expect(page.get_by_text("Calendar link made")).to_be_visible()
    box = page.locator("section.calendar-feeds", has_text="Live calendar: Firsts")
    url = box.locator("input[readonly]").input_value()
    assert "/calendar/" in url and url.endswith(".ics")
    shoot(page, "coach-week-calendar-link")

    # A calendar app fetches it without any login.
    anonymous = browser.new_context()
    feed = anonymous.request.get(url)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert events and all(str(e["summary"]).startswith("Alex Runner") for e in events)

    box.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text("Calendar link revoked")).to_be_visible()
    assert anonymous.request.get(url).status == 404

    phone = browser.new_context(**PHONE)
    me = phone.new_page()
    login(me, base, "ath")
    me.goto(f"{base}/me/progress/")
    me.get_by_role("button", name="Make a calendar link").click()
    expect(me.get_by_role("button", name="Copy link")).to_be_visible()
    shoot(me, "athlete-progress-calendar-link")
    own = me.locator("section.calendar-feeds input[readonly]").input_value()
    assert anonymous.request.get(own).status == 200
