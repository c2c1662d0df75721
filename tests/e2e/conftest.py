"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Playwright cannot download a browser here: it launches /usr/bin/chromium (CHROMIUM_PATH overrides).
Locally, without Chromium, these tests skip; in CI (REQUIRE_SERVICES=1) they fail instead.
"""
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import need

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 1024, "height": 768}}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def shoot():
    """shoot(page, name): a full-page screenshot into test-artifacts/ (and docs/ with UPDATE_SCREENSHOTS=1)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS / f"{name}.png")
        return path

    return take


class OriginGuard:
    """Records every request a page makes; any to another origin is a failure (no CDN, nothing external)."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.foreign: list[str] = []
        self.count = 0

    def attach(self, context):
        context.on("request", self._seen)

    def _seen(self, request):
        self.count += 1
        url = request.url
        if not (url.startswith(self.origin + "/") or url == self.origin or url.startswith(("data:", "blob:", "about:"))):
            self.foreign.append(url)
