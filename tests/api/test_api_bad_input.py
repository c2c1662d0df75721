"""Bad input is a 400 with field errors in plain words, an id that cannot exist a 404: never a 500."""
import datetime

import pytest

from sessions.models import SessionLog

from .conftest import new_client_id

pytestmark = pytest.mark.django_db

TOMORROW = datetime.date.today() + datetime.timedelta(days=2)
BIG = 2**63
SESSION = {"pain_during": 1, "rpe": 5, "minutes": 30}


def errors(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("field, value", [
    ("pain_during", 11), ("pain_during", -1), ("rpe", 10.5), ("minutes", 601), ("strength_lsi", -5),
    ("strength_lsi", 200.1), ("technique", 101), ("apprehension", -0.1), ("efforts_95", 101), ("rpe", 5.55),
])
def test_session_values_out_of_range_are_refused_not_clamped(world, api_for, field, value):
    body = {**SESSION, "client_id": new_client_id(), "strength_method": "nordic", field: value}
    response = api_for(world.athlete_user).post("/api/v1/session-logs/", body)
    assert field in errors(response), response.json()
    assert not SessionLog.objects.exists()


def test_a_session_in_the_future_is_refused(world, api_for):
    body = errors(api_for(world.athlete_user).post("/api/v1/session-logs/", {**SESSION, "date": str(TOMORROW)}))
    assert body == {"date": ["A session cannot be logged for a day that has not come yet."]}


def test_an_lsi_needs_its_test_method(world, api_for):
    body = errors(api_for(world.clinician).post("/api/v1/session-logs/", {**SESSION, "athlete": world.athlete.pk,
                                                                           "strength_lsi": 90}))
    assert "strength_method" in body


@pytest.mark.parametrize("field, value", [
    ("strength_lsi", 90), ("strength_method", "iso_90_90"), ("technique", 80), ("technique_fresh", 80),
    ("technique_fatigued", 70), ("peak_speed_pct", 95), ("efforts_95", 3), ("full_session", True),
    ("apprehension", 0),
])
def test_an_athlete_cannot_send_a_clinical_measurement(world, api_for, field, value):
    """Issue 9: an athlete posted LSI, technique, speed, efforts and apprehension through the API and the engine
    counted them. Each is now a 400 naming the field, and nothing is written."""
    body = errors(api_for(world.athlete_user).post("/api/v1/session-logs/", {**SESSION, field: value}))
    assert list(body) == [field] and "cannot record" in body[field][0]
    assert not SessionLog.objects.exists()


@pytest.mark.parametrize("field, value", [("apprehension", 0), ("strength_lsi", 90)])
def test_a_coach_cannot_send_a_clinician_measurement(world, api_for, field, value):
    body = errors(api_for(world.coach).post("/api/v1/session-logs/", {**SESSION, "athlete": world.athlete.pk,
                                                                       field: value, "strength_method": "iso_90_90"}))
    assert field in body
    assert not SessionLog.objects.exists()


def test_soreness_out_of_range(objects, api_for):
    body = errors(api_for(objects.world.athlete_user).post("/api/v1/symptom-reports/", {
        "session_log": objects.open_session.pk, "soreness_24h": 11}))
    assert "soreness_24h" in body


@pytest.mark.parametrize("field, value, message", [
    ("bamic_grade", 7, "less than or equal to 4"),
    ("date_of_injury", str(TOMORROW), "cannot be in the future"),
    ("side", "middle", "not a valid choice"),
])
def test_injury_field_errors(world, api_for, field, value, message):
    body = {"athlete": world.athlete.pk, "side": "left", "bamic_grade": 2, "date_of_injury": "2025-01-01", field: value}
    response = api_for(world.clinician).post("/api/v1/injuries/", body)
    assert message in " ".join(errors(response)[field])


def test_athlete_field_errors(world, api_for):
    body = errors(api_for(world.clinician).post("/api/v1/athletes/", {
        "first_name": "", "last_name": "X", "vmax_mps": 14, "training_days": [0, 8], "team": world.foreign_athlete.team_id}))
    assert set(body) == {"first_name", "vmax_mps", "training_days", "team"}
    assert body["team"] == [f"No such team (id {world.foreign_athlete.team_id})."]


def test_a_birth_date_in_the_future_is_refused(world, api_for):
    body = errors(api_for(world.clinician).patch(f"/api/v1/athletes/{world.athlete.pk}/", {"date_of_birth": str(TOMORROW)}))
    assert body == {"date_of_birth": ["The date of birth cannot be in the future."]}


@pytest.mark.parametrize("raw", [b'{"pain_during": 1,', b"not json", b'{"pain_during": NaN}', b"\xff\xfe"])
def test_malformed_json_is_a_400(world, api_for, raw):
    response = api_for(world.athlete_user).post("/api/v1/session-logs/", raw, content_type="application/json")
    assert "JSON parse error" in errors(response)["detail"]


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"null", b"42"])
def test_a_body_that_is_not_an_object_is_a_400(world, api_for, raw):
    response = api_for(world.clinician).post("/api/v1/injuries/", raw, content_type="application/json")
    assert errors(response)


def test_a_form_body_is_a_415(world, api_for):
    response = api_for(world.athlete_user).post("/api/v1/session-logs/", "pain_during=1",
                                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_nul_character_is_refused(world, api_for):
    body = errors(api_for(world.athlete_user).post("/api/v1/session-logs/", {**SESSION, "notes": "a\x00b"}))
    assert "notes" in body


def test_a_malformed_client_id(world, api_for):
    body = errors(api_for(world.athlete_user).post("/api/v1/session-logs/", {**SESSION, "client_id": "retry-1"}))
    assert "client_id" in body


@pytest.mark.parametrize("path", ["athletes", "injuries", "assessments", "session-logs", "symptom-reports", "plans",
                                  "decisions", "protocols"])
@pytest.mark.parametrize("pk", [str(BIG), "0", "-3", "abc", "1e3"])
def test_ids_that_cannot_exist_are_404(world, api_for, path, pk):
    assert "detail" in errors(api_for(world.clinician).get(f"/api/v1/{path}/{pk}/"), 404)


@pytest.mark.parametrize("value", [BIG, -1, 0, "x", True, 1.5, [1], {"id": 1}])
def test_body_references_that_cannot_exist_are_field_errors(world, api_for, value):
    body = errors(api_for(world.clinician).post("/api/v1/injuries/", {
        "athlete": value, "side": "left", "bamic_grade": 1, "date_of_injury": "2025-01-01"}))
    assert list(body) == ["athlete"]


def test_another_organisations_reference_reads_like_a_missing_one(world, api_for):
    foreign = errors(api_for(world.clinician).post("/api/v1/injuries/", {
        "athlete": world.foreign_athlete.pk, "side": "left", "bamic_grade": 1, "date_of_injury": "2025-01-01"}))
    assert foreign == {"athlete": [f"No such athlete (id {world.foreign_athlete.pk})."]}


@pytest.mark.parametrize("params", [
    {"team": BIG}, {"team": "x"}, {"team": -1}, {"date_from": "2025-13-01"}, {"date_to": "yesterday"},
])
def test_bad_filters_are_400(world, api_for, params):
    assert errors(api_for(world.clinician).get("/api/v1/session-logs/", params))


@pytest.mark.parametrize("params", [{"status": "lost"}, {"phase": 20}, {"athlete": BIG}])
def test_bad_plan_filters_are_400(world, api_for, params):
    assert errors(api_for(world.clinician).get("/api/v1/plans/", params))


def test_an_unknown_ordering_is_ignored_and_a_page_out_of_range_is_404(world, api_for):
    api = api_for(world.clinician)
    assert api.get("/api/v1/athletes/", {"ordering": "password"}).status_code == 200
    assert "detail" in errors(api.get("/api/v1/athletes/", {"page": 99}), 404)


@pytest.mark.parametrize("params, field", [
    ({"year": 2025}, "week"), ({"week": 3}, "year"), ({"year": 2025, "week": 53}, "week"), ({"year": 99999, "week": 1}, "year"),
    ({"year": 2025, "week": 0}, "week"), ({"year": "x", "week": 1}, "year"),
])
def test_bad_week_parameters(objects, api_for, params, field):
    body = errors(api_for(objects.world.clinician).get(f"/api/v1/plans/{objects.plan.pk}/week/", params))
    assert field in body


@pytest.mark.parametrize("action, data, field", [
    ("override", {"to_phase": 20, "reason": "x", "version": 1}, "to_phase"),
    ("override", {"to_phase": 1}, "reason"),
    ("override", {"to_phase": 1, "reason": "   "}, "reason"),
    ("reject", {}, "reason"),
    ("sign-off", {"version": "v2"}, "version"),
])
def test_decision_action_field_errors(objects, api_for, action, data, field):
    body = errors(api_for(objects.world.clinician).post(f"/api/v1/decisions/{objects.decision.pk}/{action}/", data))
    assert field in body


def test_starting_a_second_plan_for_an_injury(objects, api_for):
    body = errors(api_for(objects.world.clinician).post("/api/v1/plans/", {
        "injury": objects.world.injury.pk, "protocol": objects.protocol.pk}), 409)
    assert body == {"detail": "This injury already has an open plan. Complete or close it first.", "code": "conflict"}
