"""A clinician imports a VALD NordBord export in the browser: upload, preview (matches, values, reasons), confirm,
undo; and a background import's progress bar follows the import until it is done."""
import datetime

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from imports.models import ImportBatch
from progression.evidence import session_log_enter
from progression.models import Decision, Plan, Protocol
from sessions.models import Assessment
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_flows import login
from tests.imports.conftest import sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician)
    world.athlete.external_id = "VALD-001"
    world.athlete.save()
    session_log_enter(actor=world.clinician, athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                      date=world.org.today() - datetime.timedelta(days=1))
    return plan


def test_upload_preview_confirm_undo(live_server, browser, world, shoot, tmp_path):
    plan = _setup(world)
    path = tmp_path / "nordbord-export.csv"
    path.write_bytes(sample("vald_nordbord.csv", world.org.today()))
    page = browser.new_context(**DESKTOP).new_page()
    login(page, live_server.url, "clin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Import from devices")).to_be_visible()
    page.get_by_label("Device file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="nordbord-export.csv")).to_be_visible()
    ready = page.locator("table[data-rows=ready] tbody tr")
    expect(ready).to_have_count(2)
    expect(ready.first).to_contain_text("Alex Runner")
    expect(ready.first).to_contain_text("external id VALD-001")
    expect(ready.first).to_contain_text("LSI 75.0 %")
    expect(ready.nth(1)).to_contain_text("LSI 89.9 %")
    skipped = page.locator("table[data-rows=skipped] tbody tr")
    expect(skipped).to_have_count(1)
    expect(skipped.first).to_contain_text("Sam Other has no injury on record")
    expect(page.get_by_text("injured leg's force / uninjured leg's force × 100").first).to_be_visible()
    assert not Assessment.objects.exists()
    shoot(page, "clinician-import-preview")

    page.get_by_role("button", name="Import 2 lines").click()
    expect(page.get_by_text("Imported 2 lines; the plans were re-evaluated.")).to_be_visible()
    assert Assessment.objects.filter(injury=world.injury, voided_at=None).count() == 2
    assert Decision.objects.filter(plan=plan, trigger="assessment").count() == 1
    shoot(page, "clinician-import-done")

    page.get_by_role("button", name="Undo the import").click()  # no reason: refused, nothing changes
    expect(page.get_by_text("Say why the import is undone")).to_be_visible()
    assert Assessment.objects.filter(voided_at=None).count() == 2
    page.get_by_label("Reason").fill("Exported the wrong week")
    page.get_by_role("button", name="Undo the import").click()
    expect(page.get_by_text("Undone: what the import wrote is voided or put back")).to_be_visible()
    expect(page.get_by_text("Exported the wrong week").first).to_be_visible()
    assert Assessment.objects.filter(voided_at=None).count() == 0
    assert Decision.objects.filter(plan=plan, trigger="correction").exists()
    shoot(page, "clinician-import-undone")


def test_a_background_import_shows_its_progress(live_server, browser, world, shoot):
    batch = ImportBatch.objects.create(organisation=world.org, created_by=world.clinician, file_name="trace.csv",
                                       sha256="0" * 64, source="vald", kind="strength", rows_total=4000,
                                       rows_ready=4000, status=ImportBatch.Status.RUNNING)
    cache.set(f"imports:progress:{batch.pk}", 40, 600)
    page = browser.new_context(**DESKTOP).new_page()
    login(page, live_server.url, "clin")
    page.goto(f"{live_server.url}/clinic/imports/{batch.pk}/")
    bar = page.locator("progress#import-progress")
    expect(bar).to_have_attribute("value", "40")
    cache.set(f"imports:progress:{batch.pk}", 75, 600)
    expect(page.get_by_text("75 %")).to_be_visible(timeout=5000)
    shoot(page, "clinician-import-progress")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.DONE, rows_written=4000)
    expect(page.locator("[data-import-status]")).to_have_text("Imported", timeout=5000)
    expect(bar).to_have_count(0)
