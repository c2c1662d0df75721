"""The athlete app without signal (issue 14, point 3), in Debian's Chromium: the service worker keeps the athlete's
pages, a session log and a morning report made offline are kept on the phone with their client ids and sent when
the network returns; exactly one of each arrives and the plan is evaluated."""
import datetime
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from progression import services as plan_services
from progression.evidence import session_log_enter
from progression.models import Decision, Protocol
from sessions.models import SessionLog, SymptomReport
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw"):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def tap_scale(page, legend: str, value: int):
    page.locator("fieldset.scale", has_text=legend).locator("label", has_text=re.compile(rf"^{value}$")).click()


def test_a_session_and_a_report_made_offline_arrive_once(live_server, browser, world, shoot):
    base = live_server.url
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    today = world.org.today()
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                    start_date=today - datetime.timedelta(days=5))
    # A session two days ago: its morning report is open now at any hour (the 24-hour rule opens it at 04:00 the
    # day after the session).
    earlier, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                                   date=today - datetime.timedelta(days=2), pain_during=1, rpe=Decimal(4), minutes=30)
    decisions_before = Decision.objects.filter(plan=plan).count()

    context = browser.new_context(**PHONE)
    page = context.new_page()
    login(page, base, "ath")
    expect(page.get_by_role("heading", name="Hi Alex")).to_be_visible()
    # The service worker installs and keeps the pages (today's, the pending report linked from it, the log form).
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null "
                           "|| navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("document.querySelector('link[rel=manifest]').href").endswith("/static/manifest.webmanifest")
    page.wait_for_function(
        "caches.open('rehab-me-pages').then(c => c.keys()).then(keys => keys.some(r => r.url.includes('/morning/'))"
        " && keys.some(r => r.url.includes('/me/log/')))", polling=200, timeout=10_000)

    # --- no signal on the training ground --------------------------------------------------------------
    # Chromium's offline emulation can reach a new document a moment late (navigator.onLine still true at its
    # first script, its first request still let through), which on a busy machine let a send slip out. No POST
    # leaves the phone while there is no signal: the route refuses them too, as a dead network would.
    no_signal = {"on": True}
    context.route("**/*", lambda route: route.abort("internetdisconnected")
                  if no_signal["on"] and route.request.method == "POST" else route.continue_())
    context.set_offline(True)
    page.goto(f"{base}/me/log/?another=1")
    expect(page.get_by_role("heading", name=re.compile("Log"))).to_be_visible()
    tap_scale(page, "Worst pain during the session", 1)
    tap_scale(page, "How hard was it?", 4)
    page.get_by_label("Minutes").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#offline-status")).to_contain_text("Saved on this phone, not sent yet: today's session")
    shoot(page, "offline-session-saved-on-phone")

    page.goto(f"{base}/me/sessions/{earlier.pk}/morning/")
    expect(page.get_by_role("heading", name="This morning")).to_be_visible()
    tap_scale(page, "Soreness in the injured thigh this morning", 1)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#offline-status")).to_contain_text("Saved on this phone, not sent yet: today's session, "
                                                            "the morning report for")
    shoot(page, "offline-two-entries-saved-on-phone")
    assert SessionLog.objects.filter(athlete=world.athlete).count() == 1  # nothing reached the server yet
    assert not SymptomReport.objects.filter(session_log=earlier).exists()

    # The page opened offline again still shows both waiting (the next page open must not lose them).
    page.goto(f"{base}/me/")
    expect(page.locator("#offline-status")).to_contain_text("not sent yet")

    # --- signal again: the `online` event sends both --------------------------------------------------
    no_signal["on"] = False
    context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("Sent: today's session, the morning report for",
                                                            timeout=15_000)
    shoot(page, "offline-sent")
    assert page.evaluate("JSON.parse(localStorage.getItem('rehab.offline-outbox.v1') || '[]').length") == 0

    # A second page open sends nothing more: exactly one of each arrived.
    page.goto(f"{base}/me/")
    page.wait_for_load_state("networkidle")
    logs = SessionLog.objects.filter(athlete=world.athlete, date=today)
    assert logs.count() == 1
    assert (logs.get().pain_during, logs.get().minutes) == (1, 30)
    assert SymptomReport.objects.filter(session_log=earlier).count() == 1
    assert SymptomReport.objects.get(session_log=earlier).soreness_24h == 1
    # The plan was evaluated for each arrival.
    assert Decision.objects.filter(plan=plan).count() >= decisions_before + 2
    context.close()


def test_the_same_entry_sent_twice_is_kept_once(live_server, browser, world):
    """A phone that sent an entry but never saw the answer sends it again on the next page open: the client id
    makes the second send return the first record."""
    base = live_server.url
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                             start_date=world.org.today() - datetime.timedelta(days=5))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    login(page, base, "ath")
    client_id = str(uuid.uuid4())
    entry = {"id": client_id, "user": str(world.athlete_user.pk), "url": "/me/log/", "label": "today's session",
             "csrf": "", "fields": [["client_id", client_id], ["pain_during", "2"], ["rpe", "5"], ["minutes", "25"],
                                    ["reps_done", ""]]}
    page.evaluate("entry => localStorage.setItem('rehab.offline-outbox.v1', JSON.stringify([entry, entry]))", entry)
    page.goto(f"{base}/me/progress/")
    expect(page.locator("#offline-status")).to_contain_text("Sent: today's session", timeout=15_000)
    assert SessionLog.objects.filter(athlete=world.athlete, client_id=client_id).count() == 1
    context.close()
