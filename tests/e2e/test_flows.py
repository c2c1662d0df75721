"""The product end to end in Debian's Chromium: clinician, athlete on a phone, coach on a tablet, sign-off.

Also proves that no page requests another origin, and measures what the athlete's log page transfers.
"""
import datetime
import gzip
import json
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from athletes.models import Athlete
from core import clock
from progression.evidence import session_log_enter, symptom_report_enter
from progression.models import Decision, Plan
from tests.conftest import next_morning
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, TABLET, OriginGuard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw"):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def tap_scale(page, legend: str, value: int):
    page.locator("fieldset.scale", has_text=legend).locator("label", has_text=re.compile(rf"^{value}$")).click()


def test_the_whole_course(live_server, browser, world, mailoutbox, shoot, settings):
    settings.CLINICIAN_IDLE_TIMEOUT = datetime.timedelta(days=365)  # the clock moves to the next morning below
    base = live_server.url
    guard = OriginGuard(base)
    today = datetime.date.today()

    # --- the clinician: athlete, injury, assessment, plan ------------------------------------------------
    clinic = browser.new_context(**DESKTOP)
    guard.attach(clinic)
    page = clinic.new_page()
    login(page, base, "clin")
    expect(page.get_by_role("heading", name="Athletes")).to_be_visible()
    page.get_by_role("link", name="Add an athlete").first.click()
    page.get_by_label("First name").fill("Mia")
    page.get_by_label("Last name").fill("Fast")
    page.get_by_label("Team").select_option(label="Firsts")
    page.get_by_label("Maximal velocity (m/s)").fill("9.40")
    page.get_by_label("Athlete's email (phone login)").fill("mia@example.org")
    page.get_by_role("button", name="Add athlete").click()

    expect(page.get_by_role("heading", name="Record an injury for Mia Fast")).to_be_visible()
    page.get_by_label("Side").select_option("left")
    page.get_by_label("Muscle").select_option("bflh")
    page.get_by_label("BAMIC grade").fill("1")
    page.get_by_label("BAMIC site").select_option("a")
    page.get_by_label("Date of injury").fill((today - datetime.timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Record injury").click()

    expect(page.get_by_role("heading", name="Assessment: Mia Fast")).to_be_visible()
    page.get_by_label("Pain on palpation (0-10)").fill("1")
    page.get_by_label("Strength method").select_option("iso_90_90")
    page.get_by_label("Strength, injured leg (N)").fill("270")
    page.get_by_label("Strength, uninjured leg (N)").fill("300")
    expect(page.locator("[data-lsi-value]")).to_have_text("90.0 %")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved. LSI 90.0%.")).to_be_visible()

    page.get_by_role("link", name="Start a plan").click()
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", name=re.compile("Plan: P0"))).to_be_visible()

    # An earlier clean session, logged two days ago with its morning report, so today's can complete P0.
    mia = Athlete.objects.get(first_name="Mia")
    earlier, _ = session_log_enter(actor=mia.user, athlete=mia, client_id=uuid.uuid4(), date=today - datetime.timedelta(days=2),
                                    pain_during=1, rpe=Decimal(4), minutes=30)
    symptom_report_enter(actor=mia.user, session_log=earlier, client_id=uuid.uuid4(), soreness_24h=1)

    # --- the athlete, on a phone: set a password from the invite, log, report, see the decision ----------
    phone = browser.new_context(**PHONE)
    guard.attach(phone)
    mobile = phone.new_page()
    invite = next(m for m in mailoutbox if m.to == ["mia@example.org"])
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", invite.body).group(1)
    mobile.goto(base + path)
    mobile.get_by_label("New password").fill("Sprint-2026-fast!")
    mobile.get_by_label("Again").fill("Sprint-2026-fast!")
    mobile.get_by_role("button", name="Set password").click()
    expect(mobile.get_by_role("heading", name="Password set")).to_be_visible()
    login(mobile, base, "mia@example.org", "Sprint-2026-fast!")
    expect(mobile.get_by_text("Phase 0 of P0-P6")).to_be_visible()
    shoot(mobile, "athlete-today")
    mobile.get_by_role("link", name="Log today's session").click()
    tap_scale(mobile, "Worst pain during the session", 1)
    tap_scale(mobile, "How hard was it?", 4)
    mobile.get_by_label("Minutes").fill("35")
    shoot(mobile, "athlete-log")
    mobile.get_by_role("button", name="Save").click()
    expect(mobile.get_by_text("Today's session is logged")).to_be_visible()

    clock.travel_to(next_morning(world.org))  # the next morning: the report opens at 04:00
    mobile.get_by_role("link", name="Progress", exact=True).click()
    mobile.get_by_role("link", name="report soreness").first.click()
    tap_scale(mobile, "Soreness in the injured thigh this morning", 1)
    tap_scale(mobile, "Sleep quality", 4)
    mobile.get_by_role("button", name="Send").click()
    expect(mobile.get_by_role("heading", name="Ready to move up: your clinician will confirm")).to_be_visible()
    shoot(mobile, "athlete-progress")

    # --- the coach, on a tablet: the week, exports ----------------------------------------------------------
    tablet = browser.new_context(**TABLET, accept_downloads=True)
    guard.attach(tablet)
    coach = tablet.new_page()
    login(coach, base, "coach")
    expect(coach.locator("table.weekgrid th", has_text="Mia Fast")).to_be_visible()
    expect(coach.locator("table.weekgrid .logged", has_text="Logged: pain 1, RPE 4 x 35 min")).to_be_visible()
    shoot(coach, "coach-week")
    with coach.expect_download() as csv_download:
        coach.get_by_role("link", name="Download CSV").click()
    csv_text = csv_download.value.path().read_text(encoding="utf-8")
    assert "Mia Fast" in csv_text
    with coach.expect_download() as ics_download:
        coach.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = ics_download.value.path().read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and "Mia Fast" in ics.replace("\r\n ", "")

    # --- the clinician signs off the advance -----------------------------------------------------------------
    page.goto(f"{base}/clinic/athletes/{mia.pk}/")
    expect(page.get_by_text("Awaiting sign-off").first).to_be_visible()
    shoot(page, "clinician-athlete")
    page.get_by_role("button", name="Sign off the advance").click()
    expect(page.get_by_text("Signed off: the plan has advanced.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Plan: P1"))).to_be_visible()
    assert Plan.objects.get(injury__athlete=mia).current_phase == 1
    assert Decision.objects.filter(plan__injury__athlete=mia, status="signed_off").count() == 1
    page.goto(f"{base}/clinic/")
    shoot(page, "clinician-roster")

    assert guard.count > 20
    assert guard.foreign == [], f"requests to another origin: {guard.foreign}"


def test_athlete_log_page_is_light_and_same_origin(live_server, browser, world):
    """Under 50 KB transferred (gzip) for the log page with everything it loads, and nothing from elsewhere."""
    base = live_server.url
    guard = OriginGuard(base)
    context = browser.new_context(**PHONE)
    guard.attach(context)
    page = context.new_page()
    login(page, base, "ath")
    page.wait_for_url(f"{base}/me/")
    page.close()
    page = context.new_page()  # a fresh page: no response of the previous navigation can leak into the count
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{base}/me/log/")
    page.wait_for_load_state("networkidle")
    rows = []
    for response in responses:
        if 300 <= response.status < 400:
            continue
        raw = response.body()  # Playwright hands the decoded body
        encoding = (response.headers.get("content-encoding") or "").lower()
        sent = response.request.sizes()["responseBodySize"]  # bytes on the wire, as the server encoded them
        rows.append({"url": response.url.replace(base, ""), "status": response.status, "encoding": encoding or "none",
                     "bytes": len(raw), "sent_bytes": sent,
                     # what the page weighs once gzipped (whitenoise serves precompressed files in production)
                     "gzip_bytes": sent if encoding == "gzip" else len(gzip.compress(raw, 9))})
    total_raw = sum(r["bytes"] for r in rows)
    total_gzip = sum(r["gzip_bytes"] for r in rows)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "log-page-size.json").write_text(json.dumps(
        {"resources": rows, "total_bytes": total_raw, "total_gzip_bytes": total_gzip}, indent=1))
    print(f"\nathlete log page: {len(rows)} resources, {total_raw} bytes, {total_gzip} bytes gzip")
    assert any(r["encoding"] == "gzip" for r in rows), "the HTML should be served gzipped (GZipMiddleware)"
    assert guard.foreign == []
    assert all(r["status"] == 200 for r in rows), rows
    assert total_gzip < 50 * 1024, rows
