"""The site-wide Content-Security-Policy allows no inline script and no inline style (issue 10, Build 2).

This file keeps the templates to it: a template with a style="..." attribute, a <style> element, an inline
<script> or an on...= handler would be blocked by the browser (the page breaks, silently), so it fails here first.
It also checks the headers every answer carries.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APP_CODE = [ROOT / name for name in ("athletes", "core", "sessions", "progression")]
# E-mails are not web pages: no CSP applies to them and mail clients drop <link> and <style>, so inline styles are
# the only way to style them. Nothing else is exempt.
EXEMPT = [TEMPLATES / "email"]

HOW_TO_FIX = """
The Content-Security-Policy (CONTENT_SECURITY_POLICY in rehab/settings/base.py) blocks inline styles and scripts,
so the browser ignores these (the page looks or works wrong, with only a console error). Instead:
  - style="...": use a class. Small layout utilities are at the end of static/css/app.css (.m-0, .mt-0, .mt-1,
    .justify-between, .flex-1, .grid-2, ...); add one there, or a rule for your component.
  - <style> ... </style>: move the rules into a file under static/css/ and <link rel="stylesheet"> it.
  - <script> ... </script> with a body: move the code into a file under static/js/ and load it with
    <script src="{% static 'js/your-file.js' %}" defer></script>.
  - onclick= / onchange= / onsubmit= ...: mark the element (data-action="...", data-... attributes) and attach
    the behaviour from a static file with addEventListener (see static/js/app.js for data-action="print").
  - href="javascript:...": use a button and a listener.
  - SVG built in Python: use presentation attributes (fill=, stroke=), not style=.
"""

CHECKS = [
    ("a style= attribute", re.compile(r"""\sstyle\s*=""", re.I)),
    ("a <style> element", re.compile(r"<style[\s>]", re.I)),
    ("an on...= event handler attribute", re.compile(r"""\son[a-z]{3,}\s*=\s*["'{]""", re.I)),
    ("a javascript: URL", re.compile(r"""=\s*["']\s*javascript:""", re.I)),
]
SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)


def problems_in(text: str) -> list[tuple[int, str]]:
    found = []
    for what, pattern in CHECKS:
        for match in pattern.finditer(text):
            found.append((text.count("\n", 0, match.start()) + 1, what))
    for match in SCRIPT.finditer(text):
        attrs, body = match.group("attrs"), match.group("body")
        if body.strip() or not re.search(r"\ssrc\s*=", attrs, re.I):
            found.append((text.count("\n", 0, match.start()) + 1, "an inline <script> (a body, or no src=)"))
    return found


def template_files():
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".htm", ".svg") and not any(
                exempt in path.parents for exempt in EXEMPT):
            yield path


def python_markup_files():
    for folder in APP_CODE:
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def report(found):
    lines = "\n".join(f"  {path.relative_to(ROOT)}:{line}: {what}" for path, line, what in found)
    return f"\n{len(found)} inline style/script use(s) that the Content-Security-Policy blocks:\n{lines}\n{HOW_TO_FIX}"


def test_no_template_has_inline_styles_or_scripts():
    found = [(path, line, what) for path in template_files() for line, what in problems_in(path.read_text())]
    assert not found, report(found)


def test_no_markup_built_in_python_has_inline_styles_or_scripts():
    found = []
    for path in python_markup_files():
        text = path.read_text()
        for line, what in problems_in(text):
            if what in ("a style= attribute", "a <style> element", "an inline <script> (a body, or no src=)"):
                found.append((path, line, what))
    assert not found, report(found)


@pytest.mark.parametrize("snippet, expected", [
    ('<p style="margin:0">', "a style= attribute"),
    ("<div class=x STYLE='color:red'>", "a style= attribute"),
    ("<style>p { margin: 0 }</style>", "a <style> element"),
    ('<button onclick="go()">', "an on...= event handler attribute"),
    ("<input onfocus='this.select()'>", "an on...= event handler attribute"),
    ("<script>alert(1)</script>", "an inline <script> (a body, or no src=)"),
    ('<script type="module">import x from "/x.js"</script>', "an inline <script> (a body, or no src=)"),
    ('<a href="javascript:void(0)">', "a javascript: URL"),
])
def test_the_checker_catches_each_kind(snippet, expected):
    assert [what for _, what in problems_in(snippet)] == [expected]


@pytest.mark.parametrize("snippet", [
    '<script src="/static/js/app.js" defer></script>',
    '<p class="m-0" data-action="print">Print it, based on the plan</p>',
    "<p>Use the checklist, then stop.</p>",
])
def test_the_checker_lets_the_right_way_through(snippet):
    assert problems_in(snippet) == []


# --- the headers ----------------------------------------------------------------------------------------------

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def directives(header: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("who, url", [
    (None, "/accounts/login/"), (None, "/accounts/password_reset/"), ("clinician", "/clinic/"),
    ("clinician", "/account/api-token/"), ("coach", "/coach/"), ("coach", "/coach/week.csv"),
    ("coach", "/coach/week.ics"), ("athlete_user", "/me/"), ("athlete_user", "/me/progress/"),
    ("clinician", "/api/v1/athletes/"), ("athlete_user", "/api/v1/me/"), ("staff", "/admin/"),
    ("clinician", "/api/v1/docs/"), ("clinician", "/notifications/"), ("athlete_user", "/account/"),
])
def test_every_page_carries_the_policy_and_is_not_cached(world, client_for, who, url):
    response = client_for(getattr(world, who) if who else None).get(url)
    assert response.status_code == 200, url
    expected = directives(CSP)
    if url == "/api/v1/docs/":
        expected["img-src"] = ["'self'", "data:"]  # Swagger UI's icons, on that page only
    assert directives(response["Content-Security-Policy"]) == expected
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_policy_in_force_is_the_documented_one():
    """The exact header (the report quotes it): django-csp builds it from the settings."""
    from csp.utils import build_policy

    assert directives(build_policy()) == directives(CSP)
    assert "unsafe-inline" not in build_policy() and "unsafe-eval" not in build_policy()


@pytest.mark.django_db
def test_the_health_check_carries_no_health_data_and_is_exempt(world, client):
    assert "no-store" not in client.get("/healthz").get("Cache-Control", "")
