"""Phones retry: the same client_id returns the first record (200), other values with it are a 409."""
import pytest

from sessions.models import SessionLog, SymptomReport

from .conftest import new_client_id

pytestmark = pytest.mark.django_db

SESSION = {"pain_during": 1, "rpe": 5.5, "minutes": 30, "notes": "Strides."}


def test_a_retried_session_returns_the_first_record(world, api_for):
    api = api_for(world.athlete_user)
    body = {**SESSION, "client_id": new_client_id()}
    first = api.post("/api/v1/session-logs/", body)
    retry = api.post("/api/v1/session-logs/", {**body, "rpe": "5.5"})  # the same value, spelt differently
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert SessionLog.objects.count() == 1


def test_a_retry_without_a_date_the_next_day_still_matches(world, api_for):
    """A left-out date means the first submission's day on a retry, not the day of the retry."""
    api = api_for(world.athlete_user)
    body = {**SESSION, "client_id": new_client_id()}
    first = api.post("/api/v1/session-logs/", body).json()
    SessionLog.objects.filter(pk=first["id"]).update(date="2020-02-02", recorded_on="2020-02-02")
    retry = api.post("/api/v1/session-logs/", body)
    assert retry.status_code == 200 and retry.json()["date"] == "2020-02-02"


def test_the_same_client_id_with_other_values_is_a_409(world, api_for):
    api = api_for(world.athlete_user)
    body = {**SESSION, "client_id": new_client_id()}
    first = api.post("/api/v1/session-logs/", body)
    conflict = api.post("/api/v1/session-logs/", {**body, "pain_during": 4})
    assert conflict.status_code == 409
    assert conflict.json() == {
        "detail": "This session was already submitted with different values (pain_during). Nothing was changed; "
                  "if you meant to submit a new one, use a new id.",
        "code": "conflict",
    }
    assert SessionLog.objects.get().pain_during == 1 and SessionLog.objects.get().pk == first.json()["id"]


def test_another_athletes_client_id_is_a_409_that_reveals_nothing(world, api_for):
    body = {**SESSION, "client_id": new_client_id()}
    api_for(world.athlete_user).post("/api/v1/session-logs/", body)
    conflict = api_for(world.other_athlete_user).post("/api/v1/session-logs/", body)
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "This session id has already been used. Generate a new one."
    assert SessionLog.objects.count() == 1


def test_a_retried_report_returns_the_first(objects, api_for):
    api = api_for(objects.world.athlete_user)
    body = {"client_id": new_client_id(), "session_log": objects.open_session.pk, "soreness_24h": 2, "fatigue": 3}
    first = api.post("/api/v1/symptom-reports/", body)
    retry = api.post("/api/v1/symptom-reports/", body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    conflict = api.post("/api/v1/symptom-reports/", {**body, "soreness_24h": 5})
    assert conflict.status_code == 409 and "different values (soreness_24h)" in conflict.json()["detail"]
    assert SymptomReport.objects.filter(session_log=objects.open_session).count() == 1


def test_a_second_report_for_a_session_under_a_new_id(objects, api_for):
    api = api_for(objects.world.athlete_user)
    same = api.post("/api/v1/symptom-reports/", {"client_id": new_client_id(), "session_log": objects.session.pk,
                                                 "soreness_24h": 1})
    assert same.status_code == 200 and same.json()["id"] == objects.report.pk
    other = api.post("/api/v1/symptom-reports/", {"client_id": new_client_id(), "session_log": objects.session.pk,
                                                  "soreness_24h": 6})
    assert other.status_code == 409
    assert other.json()["detail"] == "This session already has a next-morning report. Ask your clinician to correct it."
