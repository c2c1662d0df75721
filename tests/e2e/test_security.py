"""Security in the real browser (issue 10): the pages of every role run with no Content-Security-Policy
violation, and an uploaded HTML or SVG file cannot run script from the app's origin."""
import contextlib
import datetime
import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from knox.models import AuthToken
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from progression import services as plan_services
from progression.models import Decision, Protocol
from sessions.models import TechniqueRating
from sessions.services import session_log_create, symptom_report_create
from tests.e2e.conftest import DESKTOP, PHONE, TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects CSP violations from the moment each document starts, before any script of the page runs.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def login(page, base, username, password="pw"):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


class Watch:
    """Every CSP violation a context's pages report (event or console), and every console error."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(LISTEN)
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)

    def visit(self, page, url) -> list[str]:
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        return [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]

    def csp_console(self) -> list[str]:
        return [m for m in self.console if re.search(r"Content Security Policy|Refused to|Permissions.Policy|Unrecognized feature", m)]


@pytest.fixture
def story(world):
    """An athlete with a plan, logged sessions, a morning report, a decision, a note and a technique video."""
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    today = datetime.date.today()
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                    start_date=today - datetime.timedelta(days=6))
    for days in (4, 2):
        log, _ = session_log_create(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                                    date=today - datetime.timedelta(days=days), pain_during=1, rpe=4, minutes=30)
        symptom_report_create(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(), soreness_24h=1)
    open_log, _ = session_log_create(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                                     date=today, pain_during=1, rpe=4, minutes=30)
    rating = TechniqueRating(session_log=open_log, kind="drill", items_correct=[], score=0, rated_by=world.coach)
    rating.video.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64),
                      save=False)
    rating.save()
    return {"plan": plan, "log": open_log, "rating": rating, "protocol": protocol,
            "decision": Decision.objects.filter(plan=plan).order_by("-id").first()}


def test_the_main_pages_of_every_role_run_without_a_csp_violation(live_server, browser, world, story):
    base = live_server.url
    athlete, log, protocol, plan = world.athlete, story["log"], story["protocol"], story["plan"]
    pages = [
        ("clin", DESKTOP, [
            reverse("clinic:roster"), reverse("clinic:athlete", args=[athlete.pk]), reverse("clinic:athlete_create"),
            reverse("clinic:injury_create", args=[athlete.pk]),
            reverse("clinic:assessment_create", args=[world.injury.pk]),
            reverse("clinic:plan_start", args=[world.other_athlete.pk]),
            reverse("clinic:protocols"), reverse("clinic:protocol_detail", args=[protocol.pk]),
            reverse("clinic:protocol_edit", args=[protocol.pk]),
            reverse("clinic:protocol_bench", args=[protocol.pk]), reverse("plan_notes", args=[plan.pk]),
            reverse("notifications"), reverse("account"), reverse("api_token"), reverse("api:docs"),
        ]),
        ("coach", TABLET, [reverse("coach:week"), reverse("coach:rate", args=[log.pk]), reverse("account")]),
        ("ath", PHONE, [reverse("me:today"), reverse("me:log"), reverse("me:progress"), reverse("me:warning_signs"),
                        reverse("me:report", args=[log.pk]), reverse("me:stop", args=[log.pk]), reverse("account")]),
        ("staff", DESKTOP, ["/admin/", "/admin/knox/authtoken/", "/admin/auth/user/"]),
    ]
    violations, visited = [], 0
    for username, device, urls in pages:
        context = browser.new_context(**device)
        watch = Watch(context)
        page = context.new_page()
        login(page, base, username)
        for url in urls:
            violations += watch.visit(page, base + url)
            visited += 1
        if username == "clin":  # the token page's one-time key, with its select-on-focus behaviour
            page.goto(base + reverse("api_token"))
            page.get_by_role("button", name=re.compile("Create a token|Replace it")).click()
            page.get_by_label("Token").focus()
            assert page.evaluate("document.activeElement.selectionEnd") == 64, "app.js selects the key"
            violations += [f"token page: {v}" for v in page.evaluate("window.__csp || []")]
        violations += [f"{username} console: {m}" for m in watch.csp_console()]
        context.close()
    # The login page itself, anonymous, and the lockout page.
    context = browser.new_context(**DESKTOP)
    watch = Watch(context)
    page = context.new_page()
    violations += watch.visit(page, base + reverse("login"))
    violations += watch.visit(page, base + reverse("password_reset"))
    violations += [f"anonymous console: {m}" for m in watch.csp_console()]
    context.close()
    # The listener itself works: an inline style added now is reported.
    page = browser.new_context(**DESKTOP).new_page()
    page.add_init_script(LISTEN)
    page.goto(base + reverse("login"))
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__csp.length > 0")
    assert "style-src" in page.evaluate("window.__csp[0]")
    print(f"\n{visited} pages of 4 roles checked for CSP violations")
    assert visited >= 28
    assert violations == [], "\n".join(violations)


HTML = (b"<!doctype html><html><body><h1>clip</h1><script>"
        b"new Image().src='/xss-ran?'+encodeURIComponent(document.cookie);"
        b"fetch('/api/v1/tokens/',{method:'POST',credentials:'include'});document.title='XSS';"
        b"</script></body></html>")
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="new Image().src=\'/xss-ran?svg-onload\'">'
       b"<script>new Image().src='/xss-ran?svg-script';fetch('/api/v1/tokens/',{method:'POST'})</script></svg>")
POLYGLOT = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + HTML  # a real MP4 header, then markup


def planted(story, world, name, content) -> TechniqueRating:
    """A file put straight into storage, as one uploaded before the fix (or planted) would be."""
    rating = TechniqueRating(session_log=story["log"], kind="drill", items_correct=[], score=0, rated_by=world.coach)
    rating.save()
    name = rating.video.storage.save(name, ContentFile(content))  # storage may add a suffix to a taken name
    TechniqueRating.objects.filter(pk=rating.pk).update(video=name)
    return rating


def test_an_uploaded_html_or_svg_file_cannot_run_script(live_server, browser, world, story, tmp_path):
    base = live_server.url
    ran: list[str] = []

    # 1. The coach tries to upload pages posing as videos: refused at the door.
    tablet = browser.new_context(**TABLET)
    tablet.on("request", lambda r: ran.append(r.url) if "/xss-ran" in r.url else None)
    coach = tablet.new_page()
    login(coach, base, "coach")
    before = TechniqueRating.objects.count()
    for name, content in (("clip.mp4", HTML), ("drawing.svg", SVG), ("page.html", HTML)):
        path = tmp_path / name
        path.write_bytes(content)
        coach.goto(base + reverse("coach:rate", args=[story["log"].pk]))
        coach.get_by_label("Tall posture").check()
        coach.locator("input[type=file]").set_input_files(str(path))
        coach.get_by_role("button", name="Save the rating").click()
        expect(coach.get_by_text("This file is not a video we can store")).to_be_visible()
    assert TechniqueRating.objects.count() == before
    tablet.close()

    # 2. Files already in storage (uploaded before the fix, or planted): opened by the clinician, none runs.
    stored = {
        "html": planted(story, world, "technique/2025/01/evil.html", HTML),
        "svg": planted(story, world, "technique/2025/01/evil.svg", SVG),
        "html-as-mp4": planted(story, world, "technique/2025/01/evil.mp4", HTML),
        "svg-as-mp4": planted(story, world, "technique/2025/01/drawing.mp4", SVG),
        "polyglot": planted(story, world, "technique/2025/01/polyglot.mp4", POLYGLOT),
    }
    desk = browser.new_context(**DESKTOP, accept_downloads=True)
    desk.on("request", lambda r: ran.append(r.url) if "/xss-ran" in r.url else None)
    page = desk.new_page()
    login(page, base, "clin")
    outcomes, served = {}, {}
    for label, rating in stored.items():
        url = base + reverse("technique_video", args=[rating.pk])
        try:
            # page.goto fails with "Download is starting" when the browser does not render the answer.
            with page.expect_download(timeout=5000) as download, contextlib.suppress(PlaywrightError):
                page.goto(url)
            outcomes[label] = f"download {download.value.suggested_filename}"
        except PlaywrightError:  # no download: rendered inline (only an allowlisted video type may be)
            page.wait_for_load_state("load")
            outcomes[label] = "inline"
        headers = desk.request.get(url).headers
        outcomes[label] += f" as {headers['content-type']}"
        served[label] = (headers.get("x-content-type-options"), headers.get("content-security-policy"))
    # Back on an app page: nothing ran in the app's origin in between.
    page.goto(base + reverse("clinic:roster"))
    assert page.title() != "XSS"
    desk.close()

    assert ran == [], f"script ran: {ran}"
    assert set(served.values()) == {("nosniff", "sandbox")}, served
    for label in ("html", "svg", "html-as-mp4", "svg-as-mp4"):
        assert re.fullmatch(r"download technique-\d+\.bin as application/octet-stream", outcomes[label]), outcomes
    assert outcomes["polyglot"] == "inline as video/mp4", "a real MP4 header is served as a video, sandboxed"
    assert not AuthToken.objects.exists(), "no token was created in the clinician's name"
