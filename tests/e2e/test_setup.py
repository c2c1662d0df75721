"""The clinic sets itself up, in Chromium (issue 12 point 8), and the audit trail on the page (point 6).

A clinician creates a team, invites a coach; the coach chooses a password from the email's link; the clinician puts
the coach in charge of the team and moves an athlete into it; the coach sees the athlete on /coach/; the clinician
deactivates the coach, who can no longer see it. Then the athlete's audit trail tells what happened.
"""
import datetime
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from athletes.models import Membership
from core import clock
from progression.evidence import session_log_correct, session_log_enter, symptom_report_enter
from progression.models import Protocol
from progression.services import plan_start
from tests.e2e.conftest import DESKTOP, TABLET, OriginGuard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw"):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_clinic_sets_itself_up(live_server, browser, world, mailoutbox, shoot):
    base = live_server.url
    guard = OriginGuard(base)
    # Alex has a plan (the coach's week lists the athletes with a plan) and a little history for the audit trail.
    plan = plan_start(actor=world.clinician, injury=world.injury,
                      protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    today = clock.local_today(world.org.tz)
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                               date=today - datetime.timedelta(days=2), pain_during=1, rpe=Decimal(4), minutes=30)
    symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(), soreness_24h=1)
    session_log_correct(actor=world.clinician, log=log, reason="The athlete said 2 on the phone", pain_during=2)

    clinic = browser.new_context(**DESKTOP)
    guard.attach(clinic)
    page = clinic.new_page()
    login(page, base, "clin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    expect(page.get_by_role("heading", name="Set-up: Northside")).to_be_visible()

    # --- a team, and a duplicate name refused in plain words ---------------------------------------------
    page.get_by_label("Team name").fill("Firsts")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Northside already has a team called “Firsts”. Choose another name.")).to_be_visible()
    shoot(page, "setup-duplicate-team")
    page.get_by_label("Team name").fill("Under-21s")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Team “Under-21s” created.")).to_be_visible()

    # --- invite a coach ------------------------------------------------------------------------------------
    page.get_by_label("Coach's email").fill("kim@example.org")
    page.get_by_label("First name").fill("Kim")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to kim@example.org")).to_be_visible()
    kim_row = page.get_by_role("row", name=re.compile("kim@example.org"))
    expect(kim_row.get_by_text("invited")).to_be_visible()

    # --- the coach chooses a password from the email's link -------------------------------------------------
    invite = next(m for m in mailoutbox if m.to == ["kim@example.org"])
    assert "as a coach" in invite.body
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", invite.body).group(1)
    tablet = browser.new_context(**TABLET)
    guard.attach(tablet)
    coach = tablet.new_page()
    coach.goto(base + path)
    coach.get_by_label("New password").fill("Coach-2026-strides!")
    coach.get_by_label("Again").fill("Coach-2026-strides!")
    coach.get_by_role("button", name="Set password").click()
    expect(coach.get_by_role("heading", name="Password set")).to_be_visible()
    login(coach, base, "kim@example.org", "Coach-2026-strides!")
    expect(coach.get_by_text("Alex Runner")).to_have_count(0)

    # --- the clinician puts Kim in charge of the Under-21s and moves Alex there ----------------------------
    page.reload()
    page.get_by_role("link", name="Coaches of Under-21s").click()
    page.get_by_label("Kim Lee").check()
    shoot(page, "setup-team-coaches")
    page.get_by_role("button", name="Save coaches").click()
    expect(page.get_by_text("“Under-21s” is coached by Kim Lee.")).to_be_visible()
    page.get_by_label("New team for Alex Runner").select_option(label="Under-21s")
    page.get_by_role("button", name="Move Alex Runner").click()
    expect(page.get_by_text("Alex Runner is now in Under-21s.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Under-21s .*Kim Lee"))).to_be_visible()
    shoot(page, "setup-overview")

    # --- the coach sees Alex ----------------------------------------------------------------------------------
    coach.goto(f"{base}/coach/")
    expect(coach.get_by_text("Alex Runner").first).to_be_visible()
    shoot(coach, "setup-coach-sees-athlete")

    # --- the clinician deactivates Kim: Kim sees nothing of Northside any more ---------------------------------
    page.get_by_role("button", name="Deactivate Kim Lee").click()
    expect(page.get_by_text("Kim Lee is deactivated")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("kim@example.org")).get_by_text("deactivated")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Under-21s")).get_by_text("deactivated")).to_be_visible()
    page.locator("#members").scroll_into_view_if_needed()
    shoot(page, "setup-members")
    assert not Membership.objects.get(user__username="kim@example.org").is_active
    response = coach.goto(f"{base}/coach/")
    assert response.status == 403
    expect(coach.get_by_text("Alex Runner")).to_have_count(0)
    response = coach.goto(f"{base}/clinic/athletes/{world.athlete.pk}/")
    assert response.status in (403, 404)

    # --- the audit trail tells it all ----------------------------------------------------------------------------
    page.goto(f"{base}/clinic/athletes/{world.athlete.pk}/")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail: Alex Runner")).to_be_visible()
    expect(page.get_by_text("moved the athlete to another team").first).to_be_visible()
    expect(page.get_by_text("The athlete said 2 on the phone")).to_be_visible()
    shoot(page, "audit-trail")
    page.get_by_label("Kind").select_option(label="Sessions")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("moved the athlete to another team")).to_have_count(0)
    expect(page.get_by_text("corrected a session")).to_be_visible()
    assert plan.pk and not guard.foreign, guard.foreign
