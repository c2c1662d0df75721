"""A fuzz test of the pages' forms, their query strings and the API's request bodies: 0 server errors.

Hypothesis sends hostile values: NUL and other control characters, odd unicode (bidi overrides, non-ASCII
digits, astral planes), numbers far out of range (20 digits, 1e400, 5,000 digits), impossible dates, JSON nested
50,000 deep, lists where one value is expected. Every form is found by reading the page's own HTML (so a new
field is fuzzed without touching this file); every API write route by the permission matrix. The Django test
client re-raises any exception a view lets through, so a 500 fails the example that caused it.

Two phases per form, page and route: a coverage phase (every field, or query parameter, gets each hostile value
of a fixed list while the rest of the request stays valid, so the value reaches past the other checks), then
FUZZ_EXAMPLES random combinations from hypothesis (derandomized, so CI is reproducible). About a minute or two in
all. The figures are written to test-artifacts/fuzz-figures.json.
"""
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
MAX_COVERAGE_FIELDS = 12
FIGURES = Counter(requests=0, server_errors=0)

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])

# --- hostile values -------------------------------------------------------------------------------------------

ODD_TEXT = ["\x00", "a\x00b", "\x00" * 3, "\u202eevil", "\ufeff", "\U0001d54f", "line\nbreak", "\r\n", "\t", "\x7f",
            "\u0663", "\u2028", "ﷺ", "Ⅻ", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd",
            "\u00e9\u0301", "x" * 5000, ""]
ODD_NUMBERS = ["99999999999999999999", "-99999999999999999999", str(2**63), str(-(2**63) - 1), "1e400", "-1e400",
               "NaN", "Infinity", "-0", "0x10", "1_000", "\u0663", "1.5", "1e-400", "9" * 5000, "-1", "0", "00"]
ODD_DATES = ["0001-01-01", "9999-12-31", "2025-02-30", "10000-01-01", "-0001-01-01", "2025-13-01", "1900-01-01",
             "31/12/2024", "today"]
DEEP_JSON = ["[" * n + "]" * n for n in (70, 1000, 50_000)] + ['{"a":' * 100 + "1" + "}" * 100]

# The coverage phase sends each of these, one field at a time, into an otherwise valid request.
COVERAGE_VALUES = ["\x00", "a\x00b", "99999999999999999999", "-99999999999999999999", "1e400", "NaN", "9" * 5000,
                   "0001-01-01", "9999-12-31", DEEP_JSON[2], "\u202e\u0663", "x" * 5000, "line\r\nBcc: x@example.org"]
JSON_COVERAGE_VALUES = ["\x00", {"a\x00": 1}, 2**64, -(2**64), 1e308, 10**400, [[[[[[[[[[1]]]]]]]]]], "x" * 5000,
                        [1, 2], {"id": 1}, None, True, "9999-12-31", "0001-01-01", "\u202e\u0663"]

characters = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be sent as UTF-8
scalar = st.one_of(
    st.sampled_from(ODD_TEXT), st.sampled_from(ODD_NUMBERS), st.sampled_from(ODD_DATES), st.sampled_from(DEEP_JSON),
    st.text(characters, max_size=40), st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
form_value = st.one_of(scalar, st.lists(scalar, min_size=1, max_size=3))

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(ODD_TEXT), st.text(characters, max_size=30),
)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                              st.dictionaries(st.text(characters, max_size=8), inner,
                                                                              max_size=3)), max_leaves=12)


@pytest.fixture
def objects(world):
    """The page permission matrix's objects (tests/test_permission_matrix.py)."""
    from tests.test_permission_matrix import make_objects

    return make_objects(world)


@pytest.fixture(scope="module", autouse=True)
def _write_figures():
    yield
    out = Path(__file__).resolve().parent.parent / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "fuzz-figures.json").write_text(json.dumps(dict(FIGURES), indent=1, sort_keys=True))


def _send(client, method, url, data=None, **kwargs):
    FIGURES["requests"] += 1
    response = getattr(client, method)(url, data, **kwargs) if data is not None else getattr(client, method)(url, **kwargs)
    if response.status_code >= 500:
        FIGURES["server_errors"] += 1
    assert response.status_code < 500, f"{method.upper()} {url} {data!r:.300}: {response.status_code}"
    return response


# --- the pages' forms ---------------------------------------------------------------------------------------------

FIELD_NAMES = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
SKIP_FIELDS = {"csrfmiddlewaretoken", "video"}  # uploads belong to the upload checks (sec-web)


def _fields(html: str) -> list[str]:
    return sorted(set(FIELD_NAMES.findall(html)) - SKIP_FIELDS)


# (url name, who may use it, kwargs from the matrix objects). Every form page of tests/test_permission_matrix.py.
FORM_PAGES = [
    ("clinic:athlete_create", "clinician", None),
    ("clinic:injury_create", "clinician", lambda o: {"athlete_pk": o["athlete"].pk}),
    ("clinic:assessment_create", "clinician", lambda o: {"injury_pk": o["injury"].pk}),
    ("clinic:plan_start", "clinician", lambda o: {"athlete_pk": o["athlete"].pk}),
    ("clinic:protocol_edit", "clinician", lambda o: {"pk": o["protocol"].pk}),
    ("clinic:protocol_bench", "clinician", lambda o: {"pk": o["protocol"].pk}),
    ("plan_notes", "clinician", lambda o: {"pk": o["plan"].pk}),
    ("coach:rate", "coach", lambda o: {"pk": o["session"].pk}),
    ("me:log", "athlete_user", None),
    ("me:report", "athlete_user", lambda o: {"pk": o["session"].pk}),
    ("password_change", "clinician", None),
    ("api_token", "clinician", None),
    ("clinic:athlete", "clinician", lambda o: {"pk": o["athlete"].pk}),  # the decision forms live on this page
]
ACTION_POSTS = [
    ("clinic:decision_sign_off", lambda o: {"pk": o["decision"].pk}),
    ("clinic:decision_reject", lambda o: {"pk": o["decision"].pk}),
    ("clinic:decision_override", lambda o: {"pk": o["decision"].pk}),
    ("clinic:plan_status", lambda o: {"pk": o["plan"].pk, "status": "paused"}),
    ("notifications_mark_read", None),
]


def _valid_post(name, objects) -> dict:
    """The matrix's valid POST data for a form page (so one hostile field reaches past the others' checks)."""
    from tests.test_permission_matrix import POST_CASES

    case = POST_CASES.get(name)
    return dict(case.data(objects)) if case is not None and case.data else {}


@pytest.mark.django_db
@pytest.mark.parametrize("name, who, kwargs", FORM_PAGES, ids=[p[0] for p in FORM_PAGES])
def test_fuzz_page_forms(name, who, kwargs, objects, client_for):
    client = client_for(getattr(objects["world"], who))
    url = reverse(name, kwargs=kwargs(objects) if kwargs else None)
    page = _send(client, "get", url)
    fields = _fields(page.content.decode())
    FIGURES["form_fields"] += len(fields)
    FIGURES["forms"] += 1
    target = url
    valid = _valid_post(name, objects)
    if name == "clinic:athlete":  # this page's forms post to the decision actions: fuzz those with its fields
        target = reverse("clinic:decision_override", kwargs={"pk": objects["decision"].pk})
        valid = {"version": objects["plan"].version, "to_phase": 1, "reason": "ok"}
    if name == "clinic:protocol_edit":
        fields.append("definition")  # the JSON tab's field (the page shows the numbers tab first)
    assert fields, f"no form fields found on {url}"

    # coverage: every field (at most MAX_COVERAGE_FIELDS, spread over the form), every hostile value, the rest of
    # the request valid
    step = max(1, len(fields) // MAX_COVERAGE_FIELDS)
    covered = sorted(set(fields[::step]) | ({"definition"} & set(fields)))
    FIGURES["coverage_fields"] += len(covered)
    for field in covered:
        for value in COVERAGE_VALUES:
            data = {**valid, field: value}
            if field == "definition":
                data["mode"] = "json"
            _send(client, "post", target, data)

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={f: form_value for f in fields}))
    def run(data):
        if name == "clinic:protocol_edit":
            data.setdefault("mode", "json")
        _send(client, "post", target, data)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name, kwargs", ACTION_POSTS, ids=[a[0] for a in ACTION_POSTS])
def test_fuzz_action_posts(name, kwargs, objects, client_for):
    client = client_for(objects["world"].clinician)
    url = reverse(name, kwargs=kwargs(objects) if kwargs else None)

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={f: form_value for f in ("version", "reason", "to_phase", "status")}))
    def run(data):
        _send(client, "post", url, data)

    run()


# --- query strings ----------------------------------------------------------------------------------------------

QUERY_PAGES = [
    ("clinic:roster", "clinician", None), ("coach:week", "coach", None),
    ("coach:week_export", "coach", lambda o: {"fmt": "csv"}), ("coach:week_export", "coach", lambda o: {"fmt": "ics"}),
    ("coach:rate", "coach", lambda o: {"pk": o["session"].pk}), ("me:report", "athlete_user", lambda o: {"pk": o["session"].pk}),
    ("me:today", "athlete_user", None), ("notifications", "clinician", None), ("login", None, None),
    ("clinic:athlete", "clinician", lambda o: {"pk": o["athlete"].pk}),
]
QUERY_PARAMS = ("team", "page", "year", "week", "status", "order", "soreness", "kind", "next", "fmt")
# What each page reads: the coverage phase sends every hostile value to each of them.
PAGE_PARAMS = {"clinic:roster": ("team", "page", "status", "order"), "coach:week": ("team", "year", "week"),
               "coach:week_export": ("team", "year", "week"), "coach:rate": ("kind",), "me:report": ("soreness",),
               "login": ("next",)}


@pytest.mark.django_db
@pytest.mark.parametrize("name, who, kwargs", QUERY_PAGES, ids=[f"{q[0]}-{i}" for i, q in enumerate(QUERY_PAGES)])
def test_fuzz_query_strings(name, who, kwargs, objects, client_for):
    client = client_for(getattr(objects["world"], who) if who else None)
    url = reverse(name, kwargs=kwargs(objects) if kwargs else None)
    for param in PAGE_PARAMS.get(name, ()):
        for value in COVERAGE_VALUES:
            _send(client, "get", url, {param: value})

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={p: scalar for p in QUERY_PARAMS}))
    def run(params):
        _send(client, "get", url, params)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999", str(2**63), "0", "00000000000000000000001"])
def test_fuzz_ids_in_paths(value, objects, client_for):
    """Every page with an id in its path, given an id that cannot exist: 404 (or the page's redirect), never 500."""
    from tests.test_permission_matrix import CASES, ROWS

    client = client_for(objects["world"].clinician)
    for (name, method), case in ROWS.items():
        if not case.kwargs:
            continue
        kwargs = {k: (value if isinstance(v, int) else v) for k, v in case.kwargs(objects).items()}
        url = reverse(name, kwargs={k: str(v) for k, v in kwargs.items()}) if name in CASES else None
        if url is None:
            continue
        _send(client, method, url, case.data(objects) if case.data else {})


# --- the API's request bodies ------------------------------------------------------------------------------------

def _api_routes():
    from tests.api.test_api_permission_matrix import CASES, WRITE_METHODS

    return sorted((route, case) for route, case in CASES.items() if route[1] in WRITE_METHODS)


@pytest.fixture
def api_objects(world):
    from tests.api.conftest import make_objects

    return make_objects(world)


@pytest.mark.django_db
@pytest.mark.parametrize("route, case", _api_routes(), ids=[f"{r[1].upper()} {r[0]}" for r, _ in _api_routes()])
def test_fuzz_api_bodies(route, case, api_objects):
    from rest_framework.test import APIClient

    name, method = route
    user = api_objects.world.athlete_user if "session-log" in name or "symptom" in name else api_objects.world.clinician
    client = APIClient()
    client.force_login(user)
    url = reverse(name, kwargs=case.kwargs(api_objects) if case.kwargs else None)
    valid = case.data(api_objects) if case.data else {}
    field_names = sorted(valid) or ["reason", "version"]

    # coverage: raw bodies nested deep, then each field of a valid body with each hostile JSON value
    for raw in DEEP_JSON:
        _send(client, method, url, raw, content_type="application/json")
    for field in field_names:
        for value in JSON_COVERAGE_VALUES:
            _send(client, method, url, json.dumps({**valid, field: value}), content_type="application/json")

    body = st.one_of(
        # the route's own fields, some replaced by hostile JSON values
        st.fixed_dictionaries({}, optional={f: st.one_of(json_value, st.just(valid.get(f))) for f in field_names}),
        json_value,
    )

    @FUZZ
    @given(body, st.sampled_from([None, *DEEP_JSON]))
    def run(data, raw):
        if raw is not None:
            _send(client, method, url, raw, content_type="application/json")
        else:
            _send(client, method, url, json.dumps(data), content_type="application/json")

    run()
