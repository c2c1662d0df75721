"""Hostile input to the API is a 400 (or 409) naming what is wrong, never a 500 (issue 10, findings 5-7).

NUL characters (PostgreSQL cannot store them), JSON nested 50,000 deep (RecursionError), bodies past the size
limit, numbers out of float range, a missing or stale plan version on the decision actions.
"""
import json

import pytest
from django.test import override_settings

from progression.models import Decision
from sessions.models import SessionLog

from .conftest import new_client_id

pytestmark = pytest.mark.django_db

SESSION = {"pain_during": 1, "rpe": 5, "minutes": 30}


def _post_raw(client, url, raw: bytes):
    return client.post(url, raw, content_type="application/json")


def _errors(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:300])
    return response.json()


# --- NUL characters ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, body, field", [
    ("/api/v1/session-logs/", {**SESSION, "notes": "a\x00b"}, "notes"),
    ("/api/v1/athletes/", {"first_name": "Al\x00ex", "last_name": "X"}, "first_name"),
    ("/api/v1/athletes/", {"first_name": "Alex", "last_name": "X", "sport": "\x00"}, "sport"),
    ("/api/v1/injuries/", {"side": "left\x00", "bamic_grade": 1, "date_of_injury": "2025-01-01"}, "side"),
    ("/api/v1/athletes/", {"first_name": "Alex", "last_name": "X", "unknown\x00key": 1}, "unknown\\u0000key"),
    ("/api/v1/athletes/", {"first_name": "Alex", "last_name": "X", "training_days": ["\x00"]}, "training_days"),
])
def test_a_nul_character_anywhere_is_a_400_naming_the_field(world, api_for, url, body, field):
    user = world.athlete_user if "session" in url else world.clinician
    before = SessionLog.objects.count(), world.athlete.__class__.objects.count()
    body = {**body, "athlete": world.athlete.pk} if "injur" in url or "session" in url else body
    response = api_for(user).post(url, body)
    assert field in _errors(response), response.json()
    assert (SessionLog.objects.count(), world.athlete.__class__.objects.count()) == before


def test_a_nul_character_in_a_decision_reason(objects, api_for):
    body = _errors(api_for(objects.world.clinician).post(
        f"/api/v1/decisions/{objects.decision.pk}/override/", {"to_phase": 1, "reason": "x\x00", "version": 1}))
    assert "reason" in body


# --- deep, big and odd JSON -----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [65, 1000, 50_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(world, api_for, depth):
    raw = ("[" * depth + "]" * depth).encode()
    body = _errors(_post_raw(api_for(world.clinician), "/api/v1/athletes/", raw))
    assert "nested more than 64 levels" in body["detail"]
    nested = ('{"first_name": "A", "last_name": "B", "x": ' + "[" * depth + "]" * depth + "}").encode()
    assert "nested" in _errors(_post_raw(api_for(world.clinician), "/api/v1/athletes/", nested))["detail"]


def test_nesting_up_to_the_limit_is_parsed(world, api_for):
    raw = ('{"first_name": "A", "last_name": "B", "x": ' + "[" * 63 + "]" * 63 + "}").encode()
    assert api_for(world.clinician).post("/api/v1/athletes/", raw, content_type="application/json").status_code == 201


def test_brackets_inside_strings_do_not_count(world, api_for):
    raw = json.dumps({"first_name": "A", "last_name": "B", "sport": "[" * 66 + '\\"{' * 10}).encode()
    assert api_for(world.clinician).post("/api/v1/athletes/", raw, content_type="application/json").status_code == 201


@override_settings(API_MAX_JSON_BYTES=2000)
def test_a_body_larger_than_the_limit_is_a_400(world, api_for):
    raw = json.dumps({"first_name": "A", "last_name": "B", "sport": "x" * 3000}).encode()
    body = _errors(_post_raw(api_for(world.clinician), "/api/v1/athletes/", raw))
    assert "larger than 2,000 bytes" in body["detail"]
    assert not world.athlete.__class__.objects.filter(first_name="A").exists()


@pytest.mark.parametrize("raw", [b'{"pain_during": 1e400, "rpe": 5, "minutes": 30}',
                                 b'{"pain_during": -1e400, "rpe": 5, "minutes": 30}',
                                 b'{"pain_during": Infinity, "rpe": 5, "minutes": 30}',
                                 b'{"pain_during": 1' + b"0" * 5000 + b', "rpe": 5, "minutes": 30}'])
def test_numbers_out_of_range_are_a_400(world, api_for, raw):
    assert "JSON parse error" in _errors(_post_raw(api_for(world.athlete_user), "/api/v1/session-logs/", raw))["detail"]


@pytest.mark.parametrize("value", [2**63, 10**30, -(2**63), 1e300])
def test_huge_numbers_in_fields_are_field_errors(world, api_for, value):
    body = _errors(api_for(world.athlete_user).post("/api/v1/session-logs/", {**SESSION, "minutes": value,
                                                                              "client_id": new_client_id()}))
    assert "minutes" in body


# --- no lost update: the decision actions need the plan version they started from ---------------------------

@pytest.mark.parametrize("action, data", [
    ("sign-off", {}), ("reject", {"reason": "One more week."}), ("override", {"to_phase": 1, "reason": "Judgement."}),
])
def test_a_decision_action_without_the_plan_version_is_a_400_naming_it(objects, api_for, action, data):
    body = _errors(api_for(objects.world.clinician).post(f"/api/v1/decisions/{objects.decision.pk}/{action}/", data))
    assert list(body) == ["version"] and "version" in body["version"][0]
    objects.decision.refresh_from_db()
    assert objects.decision.status == Decision.Status.AWAITING_SIGNOFF


@pytest.mark.parametrize("action, data", [
    ("sign-off", {}), ("reject", {"reason": "One more week."}), ("override", {"to_phase": 1, "reason": "Judgement."}),
])
def test_a_decision_action_with_a_stale_version_is_a_409(objects, api_for, action, data):
    stale = objects.plan.version
    objects.plan.__class__.objects.filter(pk=objects.plan.pk).update(version=stale + 1)  # someone else saved
    body = _errors(api_for(objects.world.clinician).post(
        f"/api/v1/decisions/{objects.decision.pk}/{action}/", {**data, "version": stale}), 409)
    assert body["code"] == "conflict" and "changed by someone else" in body["detail"]
    objects.decision.refresh_from_db()
    assert objects.decision.status == Decision.Status.AWAITING_SIGNOFF


# --- integers in query strings ---------------------------------------------------------------------------------

BIG = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/api/v1/athletes/?team={BIG}", f"/api/v1/athletes/?page={BIG}", f"/api/v1/athletes/?page_size={BIG}",
    f"/api/v1/plans/?phase={BIG}", f"/api/v1/plans/?athlete={BIG}", f"/api/v1/decisions/?plan={BIG}",
    f"/api/v1/session-logs/?athlete={BIG}", f"/api/v1/injuries/?athlete={BIG}", "/api/v1/athletes/?team=1%00",
    "/api/v1/decisions/?status=%00", "/api/v1/athletes/?ordering=%00",
])
def test_query_string_integers_out_of_range_never_500(world, api_for, url):
    response = api_for(world.clinician).get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)


@pytest.mark.parametrize("params", [{"year": BIG, "week": 1}, {"year": 2025, "week": BIG}])
def test_week_parameters_out_of_range(objects, api_for, params):
    body = _errors(api_for(objects.world.clinician).get(f"/api/v1/plans/{objects.plan.pk}/week/", params))
    assert set(body) & {"year", "week"}
