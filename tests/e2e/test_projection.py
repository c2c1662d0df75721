"""The projected return-to-sport date in Chromium: the clinician's athlete page (with the reasoning), the roster's
Back column, and the athlete's progress page on a phone. Screenshots: projection-athlete-page, projection-roster,
projection-progress (docs/screenshots/ with UPDATE_SCREENSHOTS=1)."""
import datetime
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from progression import selectors, services
from progression.models import Protocol
from sessions.models import SessionLog, SymptomReport
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_flows import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_projection_on_the_athlete_page_roster_and_progress_page(live_server, browser, world, shoot):
    base = live_server.url
    today = world.org.today()
    world.injury.date_of_injury = today - datetime.timedelta(days=20)
    world.injury.save()
    plan = services.plan_start(actor=world.clinician, injury=world.injury, start_phase=2,
                               start_date=today - datetime.timedelta(days=12),
                               protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    for days_ago, pain, soreness in ((9, 0, 0), (7, 3, 1), (5, 0, 0), (2, 0, 1)):
        log = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=2, pain_during=pain, rpe=Decimal(5),
                                        minutes=40, date=today - datetime.timedelta(days=days_ago),
                                        client_id=uuid.uuid4())
        SymptomReport.objects.create(session_log=log, soreness_24h=soreness, client_id=uuid.uuid4())
    projection = selectors.projected_returns([plan])[plan.pk]
    summary = projection.summary[0].upper() + projection.summary[1:]

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    login(page, base, "clin")
    page.goto(f"{base}/clinic/athletes/{world.athlete.pk}/")
    card = page.get_by_test_id("projection")
    expect(card).to_contain_text("Projected return to sport")
    expect(card).to_contain_text(summary)
    expect(card).to_contain_text("The calendar is walked from")
    expect(card).to_contain_text("This plan so far: 3 clean, 1 session that did not count")
    card.scroll_into_view_if_needed()
    shoot(page, "projection-athlete-page")

    page.goto(f"{base}/clinic/")
    row = page.locator("tr", has_text="Alex Runner")
    expect(row.locator("td.back")).to_contain_text(projection.earliest.strftime("%a %-d %b"))
    expect(row.locator("td.back")).to_contain_text(f"likely {projection.range_text}")
    shoot(page, "projection-roster")
    context.close()

    phone = browser.new_context(**PHONE).new_page()
    login(phone, base, "ath")
    phone.goto(f"{base}/me/progress/")
    card = phone.get_by_test_id("projection")
    expect(card).to_contain_text(summary)
    expect(card.locator("details")).not_to_have_attribute("open", "")
    shoot(phone, "projection-progress")
