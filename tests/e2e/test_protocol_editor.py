"""The protocol numbers editor in Chromium: it opens filled, one number changed makes a new version, and the new
version's page lists what changed."""
import re

import pytest
from playwright.sync_api import expect

from progression.engine_io import engine_protocol
from progression.models import Protocol
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_flows import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_one_number_save_and_see_the_diff(live_server, browser, world, shoot):
    base = live_server.url
    default = Protocol.objects.get(slug="hamstring-rts", version=1)
    page = browser.new_context(**DESKTOP).new_page()
    login(page, base, "clin")
    page.goto(f"{base}/clinic/protocols/{default.pk}/")
    page.get_by_role("link", name="Copy and edit").click()
    expect(page.get_by_role("heading", name=re.compile("Your copy of"))).to_be_visible()

    lsi = page.locator('input[name="phase.3.min_lsi"]')
    expect(lsi).to_have_value("90")
    expect(page.locator('input[name="rule.load_spike.hold_at"]')).to_have_value("1.5")
    expect(page.get_by_text("This field is required")).to_have_count(0)
    expect(page.locator('input[name="phase.4.default_days"][value="1"]')).to_be_checked()
    page.get_by_label("Name of the new version").fill("Northside RTS")
    lsi.fill("92")
    shoot(page, "protocol-editor")
    page.get_by_role("button", name="Save as a new version").first.click()

    expect(page.get_by_text(re.compile(r"Saved as hamstring-rts-northside v1 \(2 changes from hamstring-rts v1\)"))).to_be_visible()
    changes = page.locator("ul.changes li")
    expect(changes).to_have_text(['Name "Return to sprint after hamstring strain" -> "Northside RTS"',
                                  "P3 exit: LSI >= 90 -> 92"])
    copy = Protocol.objects.get(slug="hamstring-rts-northside", version=1)
    assert copy.name == "Northside RTS" and engine_protocol(copy).phases[3].criterion("min_lsi").value == 92

    # And again on the organisation's own copy: v2, compared with v1.
    page.get_by_role("link", name="Edit (new version)").click()
    expect(page.locator('input[name="phase.3.min_lsi"]')).to_have_value("92")
    page.locator('input[name="phase.3.min_sessions"]').fill("3")
    page.get_by_role("button", name="Save as a new version").first.click()
    expect(page.get_by_role("heading", name=re.compile("What changed from Northside RTS v1"))).to_be_visible()
    expect(page.locator("ul.changes li")).to_have_text(["P3 exit: clean sessions >= 2 -> 3"])
    shoot(page, "protocol-version-diff")
    assert Protocol.objects.filter(slug="hamstring-rts-northside").count() == 2
