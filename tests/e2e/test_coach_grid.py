"""The coach's grid and the clinician's roster at team scale (issue 12): the demo's 25-athlete squad, through the
browser. The coach opens the week, expands one cell, prints (two A4 landscape pages at most); the clinician opens
the roster of the same team. Screenshots: docs/screenshots/coach-grid.png and roster.png (UPDATE_SCREENSHOTS=1)."""
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from progression import engine
from progression.models import Protocol
from progression.protocol_doses import with_sc_doses
from progression.services import protocol_create
from tests.conftest import ensure_default_protocol
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = {"viewport": {"width": 1440, "height": 900}}


def _dosed_default():
    """Version 2 of the default protocol (the data migration's; a transactional test flushes it)."""
    if not Protocol.objects.filter(slug="hamstring-rts", version=2).exists():
        doses = json.loads((ROOT / "progression/protocols/hamstring-rts-sc-doses.json").read_text())
        protocol_create(actor=None, definition=with_sc_doses(engine.default_protocol_data(), doses, version=2))


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("sprint-demo")
    page.get_by_role("button", name="Log in").click()


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_the_squad_on_the_grid_and_the_roster(live_server, browser, shoot):
    ensure_default_protocol()
    _dosed_default()
    call_command("load_demo")
    base = live_server.url
    from athletes.models import Team

    squad = Team.objects.get(name="Academy Squad")

    coach = browser.new_context(**LAPTOP).new_page()
    _login(coach, base, "coach")
    coach.goto(f"{base}/coach/?team={squad.pk}")
    rows = coach.locator("table.weekgrid tbody tr:not(.grid-phase)")
    expect(rows).to_have_count(25)
    expect(coach.locator(".weekgrid .pill.bad", has_text="Red flag")).to_have_count(1)
    assert coach.locator(".weekgrid .pill.warn", has_text="Sign-off pending").count() >= 1
    assert coach.locator(".weekgrid .pill.warn", has_text="overdue").count() >= 1
    # 25 athletes x 7 days fit one laptop screen wide: no horizontal scrolling
    width = coach.evaluate("document.documentElement.scrollWidth")
    assert width <= 1440, width
    # one click opens a cell's full prescription
    cell = coach.locator("table.weekgrid details.cell").first
    cell.locator("summary").click()
    expect(cell.locator(".cell-full")).to_be_visible()
    expect(cell.locator(".cell-full")).to_contain_text("Strength and conditioning")
    assert "practice default" not in coach.content()
    shoot(coach, "coach-grid")
    # print: at most two A4 landscape pages
    coach.emulate_media(media="print")
    coach.screenshot(path=str(ARTIFACTS / "coach-grid-print.png"), full_page=True)  # the print layout, to look at
    pdf = coach.pdf(format="A4", landscape=True, print_background=True)
    (ARTIFACTS / "coach-grid.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    assert 1 <= pages <= 2, pages
    coach.emulate_media(media="screen")

    clinic = browser.new_context(**LAPTOP).new_page()
    _login(clinic, base, "clinician")
    clinic.goto(f"{base}/clinic/?team={squad.pk}")
    expect(clinic.get_by_text("Kofi Mensah")).to_be_visible()
    shoot(clinic, "roster")
