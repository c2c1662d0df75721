"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process over WSGI).

Every operation in /api/v1/schema/ gets a bounded number of generated requests (valid and invalid), sent with a
token: the athlete's for the `me` endpoints, a clinician's for the rest. Each answer must not be a 5xx, and must match the schema for its status code.
About half the generated ids are swapped for ids of real rows, so the happy paths (201, 200) are exercised and
checked against the schema too, not only the 404s.

The pages' forms, their query strings, and hostile API bodies the schema cannot describe (NUL characters, JSON
nested 50,000 deep, numbers out of range) are fuzzed by tests/test_fuzz_forms.py. The number of requests this
file sent is written to test-artifacts/schemathesis-figures.json.
"""
import json
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.crypto import hash_token
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 10

CONFIG = schemathesis.Config.from_dict({
    "seed": 20250310,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
    # examples: the schema's own examples; fuzzing: EXAMPLES_PER_OPERATION generated requests; coverage: a
    # deterministic, finite set of boundary cases per field (min, max, just outside, wrong types, other methods).
    "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True}, "coverage": {"enabled": True},
               "stateful": {"enabled": False}},
    # The list endpoints' filter combinations are a third of the coverage cases: fuzzing alone there keeps the
    # run short (about 45 s on PostgreSQL).
    "operations": [{"include-operation-id-regex": "_list$", "phases": {"coverage": {"enabled": False}}}],
})



def _load_schema():
    """The schema the /api/v1/schema/ view serves, built in-process: the view answers logged-in users only, and
    no user exists while tests are collected. rehab.wsgi uses the production settings: the app is built under the
    test settings instead."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = get_wsgi_application()
    loaded.location = "/api/v1/schema/"
    return loaded


schema = _load_schema()

pytestmark = pytest.mark.django_db

FIGURES = Counter(requests=0, server_errors=0)


@pytest.fixture(scope="module", autouse=True)
def _write_figures():
    yield
    out = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "schemathesis-figures.json").write_text(json.dumps(dict(FIGURES), indent=1, sort_keys=True))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The real WSGI handler closes the database connection after each request, which would end the test's
    transaction (on PostgreSQL). Django's test client disconnects the same signals; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)

# Which real row a path id or a body reference may be swapped for.
# Knox keeps only a digest: the key each user's requests carry, until an operation rotates or revokes it.
TOKENS: dict[int, str] = {}

PATH_OBJECTS = {
    "athletes": lambda o: o.world.athlete, "injuries": lambda o: o.world.injury, "assessments": lambda o: o.assessment,
    "session-logs": lambda o: o.session, "symptom-reports": lambda o: o.report, "plans": lambda o: o.plan,
    "decisions": lambda o: o.decision, "protocols": lambda o: o.protocol,
}
BODY_OBJECTS = {
    "athlete": lambda o: o.world.athlete, "injury": lambda o: o.spare_injury, "session_log": lambda o: o.open_session,
    "protocol": lambda o: o.protocol, "team": lambda o: o.world.team, "organisation": lambda o: o.world.org,
}


def _swap_ids(case, objects):
    """Deterministically (from the generated value) point about half the ids at real rows."""
    path_id = (case.path_parameters or {}).get("id")
    if isinstance(path_id, int) and path_id % 2 == 0:
        resource = case.path.split("/")[3]
        if resource in PATH_OBJECTS:
            case.path_parameters["id"] = PATH_OBJECTS[resource](objects).pk
    if isinstance(case.body, dict):
        for name, obj in BODY_OBJECTS.items():
            if isinstance(case.body.get(name), int) and case.body[name] % 2 == 0:
                case.body[name] = obj(objects).pk


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_api_matches_its_schema(case, objects):
    # The tokens operations rotate and revoke the key: fetch the current one for every request.
    user = objects.world.athlete_user if case.path.startswith("/api/v1/me/") else objects.world.clinician
    key = TOKENS.get(user.pk)
    if key is None or not AuthToken.objects.filter(user=user, digest=hash_token(key)).exists():
        key = TOKENS[user.pk] = AuthToken.objects.create(user)[1]
    _swap_ids(case, objects)
    # identity: the in-process WSGI transport does not undo GZipMiddleware's compression.
    FIGURES["requests"] += 1
    try:
        case.call_and_validate(headers={"Authorization": f"Token {key}", "Accept-Encoding": "identity"},
                               checks=[not_a_server_error, response_schema_conformance])
    except Exception as exc:
        if "Server error" in str(exc) or "500" in str(exc)[:200]:
            FIGURES["server_errors"] += 1
        raise
