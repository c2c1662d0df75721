"""Happy paths per resource: create, list (filters, ordering, paging), retrieve; snake_case and ISO 8601."""
import datetime
import uuid

import pytest
from django.utils import timezone

from core import clock
from core.models import AuditEvent
from progression.models import Decision, Protocol
from sessions.models import SessionLog, SymptomReport
from tests.conftest import next_morning
from tests.factories import AthleteFactory

from .conftest import new_client_id

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def iso_datetime(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value} has no time zone"
    return parsed


def test_athletes_create_list_retrieve_update(world, api_for):
    api = api_for(world.clinician)
    response = api.post("/api/v1/athletes/", {
        "first_name": "Jo", "last_name": "Sprint", "team": world.team.pk, "dominant_leg": "left",
        "vmax_mps": 9.8, "training_days": [1, 4], "date_of_birth": "2001-05-04"})
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["organisation"] == world.org.pk and body["team_name"] == "Firsts"
    assert body["vmax_mps"] == "9.80" and body["date_of_birth"] == "2001-05-04" and body["training_days"] == [1, 4]
    iso_datetime(body["created_at"])
    assert AuditEvent.objects.filter(action="athlete.create", actor=world.clinician).exists()

    listed = api.get("/api/v1/athletes/", {"team": world.team.pk, "ordering": "-first_name"}).json()
    assert [a["first_name"] for a in listed["results"]] == ["Jo", "Alex"]
    assert listed["count"] == 2 and set(listed) == {"count", "next", "previous", "results"}

    pk = body["id"]
    assert api.get(f"/api/v1/athletes/{pk}/").json()["last_name"] == "Sprint"
    changed = api.patch(f"/api/v1/athletes/{pk}/", {"sport": "Rugby", "team": None})
    assert changed.status_code == 200 and changed.json()["sport"] == "Rugby" and changed.json()["team"] is None


def test_each_role_lists_only_what_it_may_see(world, api_for):
    AthleteFactory(organisation=world.org, team=world.team, first_name="Teammate")
    names = {role: {a["first_name"] for a in api_for(user).get("/api/v1/athletes/").json()["results"]}
             for role, user in [("athlete", world.athlete_user), ("coach", world.coach), ("clinician", world.clinician),
                                ("other_clinician", world.other_clinician)]}
    assert names == {"athlete": {"Alex"}, "coach": {"Alex", "Teammate"}, "clinician": {"Alex", "Sam", "Teammate"},
                     "other_clinician": {"Far"}}


def test_injuries_create_and_filter_by_date_range(world, api_for):
    api = api_for(world.clinician)
    response = api.post("/api/v1/injuries/", {
        "athlete": world.athlete.pk, "side": "right", "muscle": "st", "bamic_grade": 3, "bamic_site": "c",
        "mechanism": "stretch", "date_of_injury": str(TODAY - datetime.timedelta(days=60)), "notes": "Water skiing."})
    assert response.status_code == 201, response.data
    assert response.json()["grade_label"] == "3c"
    since = str(TODAY - datetime.timedelta(days=45))
    recent = api.get("/api/v1/injuries/", {"date_from": since}).json()["results"]
    assert [i["id"] for i in recent] == [world.injury.pk]  # the fixture's injury is 30 days old
    older = api.get("/api/v1/injuries/", {"date_to": since, "athlete": world.athlete.pk}).json()["results"]
    assert [i["id"] for i in older] == [response.json()["id"]]
    assert api.get(f"/api/v1/injuries/{world.injury.pk}/").json()["athlete_name"] == "Alex Runner"


def test_assessment_create_computes_the_lsi(world, api_for):
    api = api_for(world.clinician)
    response = api.post("/api/v1/assessments/", {
        "injury": world.injury.pk, "pain_palpation": 2, "strength_method": "iso_90_90", "strength_injured_n": 300,
        "strength_uninjured_n": "400.0"})
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["strength_lsi"] == "75.0" and body["clinician"] == world.clinician.pk and body["athlete"] == world.athlete.pk
    assert api.get("/api/v1/assessments/", {"injury": world.injury.pk}).json()["count"] == 1
    assert api.get(f"/api/v1/assessments/{body['id']}/").json()["strength_method"] == "iso_90_90"


def test_athlete_logs_a_session_and_reports_next_morning(world, api_for):
    api = api_for(world.athlete_user)
    response = api.post("/api/v1/session-logs/", {"client_id": new_client_id(), "pain_during": 1, "rpe": 6.5,
                                                  "minutes": 40, "red_flag": False})
    assert response.status_code == 201, response.data
    log = response.json()
    assert log["athlete"] == world.athlete.pk, "an athlete's own profile is used when `athlete` is left out"
    assert log["date"] == str(timezone.now().astimezone(world.org.tz).date())
    assert log["rpe"] == "6.5" and log["load"] == "260.0" and log["symptom_report"] is None
    iso_datetime(log["logged_at"])

    clock.travel_to(next_morning(world.org))  # the next-morning report opens at 04:00 the day after
    report = api.post("/api/v1/symptom-reports/", {"client_id": new_client_id(), "session_log": log["id"],
                                                   "soreness_24h": 2, "sleep_quality": 4})
    assert report.status_code == 201, report.data
    assert report.json()["athlete"] == world.athlete.pk and report.json()["session_date"] == log["date"]

    again = api.get(f"/api/v1/session-logs/{log['id']}/").json()
    assert again["symptom_report"]["soreness_24h"] == 2
    assert api.get("/api/v1/session-logs/", {"has_report": "true"}).json()["count"] == 1
    assert api.get("/api/v1/session-logs/", {"has_report": "false"}).json()["count"] == 0
    assert api.get("/api/v1/symptom-reports/", {"athlete": world.athlete.pk}).json()["count"] == 1


def test_a_coach_logs_for_an_athlete_of_their_team(world, api_for):
    response = api_for(world.coach).post("/api/v1/session-logs/", {
        "athlete": world.athlete.pk, "client_id": new_client_id(), "pain_during": 0, "rpe": 3, "minutes": 20,
        "date": str(TODAY - datetime.timedelta(days=1))})
    assert response.status_code == 201, response.data
    assert response.json()["logged_by"] == world.coach.pk


def test_session_log_list_filters_by_date_range_team_and_orders(world, api_for):
    for days, pain in [(1, 0), (3, 2), (6, 1)]:
        SessionLog.objects.create(athlete=world.athlete, pain_during=pain, rpe=5, minutes=30,
                                  date=TODAY - datetime.timedelta(days=days))
    SessionLog.objects.create(athlete=world.other_athlete, pain_during=0, rpe=5, minutes=30, date=TODAY)
    api = api_for(world.clinician)
    rows = api.get("/api/v1/session-logs/", {"date_from": str(TODAY - datetime.timedelta(days=4)),
                                             "date_to": str(TODAY - datetime.timedelta(days=1)),
                                             "ordering": "-pain_during"}).json()["results"]
    assert [r["pain_during"] for r in rows] == [2, 0]
    assert api.get("/api/v1/session-logs/", {"team": world.other_team.pk}).json()["count"] == 1
    paged = api.get("/api/v1/session-logs/", {"page_size": 2, "ordering": "date"}).json()
    assert paged["count"] == 4 and len(paged["results"]) == 2 and "page=2" in paged["next"]


def test_page_size_is_capped_at_200(world, api_for):
    SessionLog.objects.bulk_create([
        SessionLog(athlete=world.athlete, pain_during=0, rpe=1, minutes=1, client_id=uuid.uuid4(), date=TODAY)
        for _ in range(205)])
    body = api_for(world.clinician).get("/api/v1/session-logs/", {"page_size": 1000}).json()
    assert body["count"] == 205 and len(body["results"]) == 200


def test_plan_start_detail_and_week(world, api_for):
    api = api_for(world.clinician)
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    response = api.post("/api/v1/plans/", {"injury": world.injury.pk, "protocol": protocol.pk, "start_phase": 1,
                                           "baseline_weekly_load": 1800})
    assert response.status_code == 201, response.data
    plan = response.json()
    assert plan["current_phase"] == 1 and plan["current_phase_name"] and plan["status"] == "active"
    assert plan["latest_decision"] is None and plan["protocol_slug"] == "hamstring-rts"
    assert plan["baseline_weekly_load"] == "1800.0"

    week = api.get(f"/api/v1/plans/{plan['id']}/week/", {"year": 2025, "week": 11}).json()
    assert week["phase"] == 1 and week["iso_week"] == 11 and week["days"]
    assert all(datetime.date.fromisoformat(d["date"]).isocalendar()[:2] == (2025, 11) for d in week["days"])
    current = api.get(f"/api/v1/plans/{plan['id']}/week/").json()
    assert (current["iso_year"], current["iso_week"]) == timezone.now().astimezone(world.org.tz).date().isocalendar()[:2]
    assert api.get("/api/v1/plans/", {"status": "active", "team": world.team.pk}).json()["count"] == 1
    assert api.get("/api/v1/plans/", {"status": "completed"}).json()["count"] == 0
    assert api.get("/api/v1/plans/", {"phase": 1}).json()["count"] == 1


def test_plan_shows_its_latest_decision(objects, api_for):
    older = objects.decision
    newer = Decision.objects.create(
        plan=objects.plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1, decided_on=TODAY,
        inputs={}, reasons=[], decided_by_rule="rule.missing_data", outcome="hold", from_phase=0, to_phase=0,
        status="applied")
    assert newer.created_at >= older.created_at
    api = api_for(objects.world.clinician)
    assert api.get(f"/api/v1/plans/{objects.plan.pk}/").json()["latest_decision"]["id"] == newer.pk
    assert api.get("/api/v1/plans/").json()["results"][0]["latest_decision"]["outcome"] == "hold"


def test_decision_sign_off_advances_the_plan(objects, api_for):
    api = api_for(objects.world.clinician)
    response = api.post(f"/api/v1/decisions/{objects.decision.pk}/sign-off/", {"version": objects.plan.version})
    assert response.status_code == 200, response.data
    assert response.json()["status"] == "signed_off" and response.json()["reviewed_by"] == objects.world.clinician.pk
    objects.plan.refresh_from_db()
    assert objects.plan.current_phase == 1
    again = api.post(f"/api/v1/decisions/{objects.decision.pk}/sign-off/", {"version": objects.plan.version})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_decision_reject_and_override(objects, api_for):
    api = api_for(objects.world.clinician)
    version = objects.plan.version
    rejected = api.post(f"/api/v1/decisions/{objects.decision.pk}/reject/", {"reason": "One more week.", "version": version})
    assert rejected.status_code == 200 and rejected.json()["review_reason"] == "One more week."
    overridden = api.post(f"/api/v1/decisions/{objects.decision.pk}/override/",
                          {"to_phase": 2, "reason": "Judgement.", "version": version})
    assert overridden.status_code == 200, overridden.data
    assert overridden.json()["status"] == "overridden" and overridden.json()["override_to_phase"] == 2
    objects.plan.refresh_from_db()
    assert objects.plan.current_phase == 2
    assert api.get("/api/v1/decisions/", {"status": "overridden", "plan": objects.plan.pk}).json()["count"] == 1
    detail = api.get(f"/api/v1/decisions/{objects.decision.pk}/").json()
    assert "inputs" in detail and detail["reasons"][0]["message"] == "No red flag."


def test_a_stale_plan_version_is_a_409_and_changes_nothing(objects, api_for):
    response = api_for(objects.world.clinician).post(
        f"/api/v1/decisions/{objects.decision.pk}/sign-off/", {"version": objects.plan.version + 1})
    assert response.status_code == 409 and "changed by someone else" in response.json()["detail"]
    objects.plan.refresh_from_db()
    assert objects.plan.current_phase == 0


def test_logging_a_session_re_evaluates_the_active_plan(objects, api_for):
    before = Decision.objects.count()
    response = api_for(objects.world.athlete_user).post("/api/v1/session-logs/", {
        "client_id": new_client_id(), "pain_during": 1, "rpe": 5, "minutes": 30})
    assert response.status_code == 201, response.data
    assert response.json()["plan"] == objects.plan.pk
    assert Decision.objects.count() == before + 1


def test_protocols_list_detail_and_clone(world, api_for):
    api = api_for(world.clinician)
    listed = api.get("/api/v1/protocols/", {"builtin": "true"}).json()["results"]
    builtin = next(p for p in listed if p["slug"] == "hamstring-rts")
    assert builtin["is_builtin"] and len(builtin["phases"]) == 7
    detail = api.get(f"/api/v1/protocols/{builtin['id']}/").json()
    assert detail["definition"]["phases"]
    clone = api.post(f"/api/v1/protocols/{builtin['id']}/clone/", {"base_version": 0})
    assert clone.status_code == 201, clone.data
    body = clone.json()
    assert body["slug"] == "hamstring-rts-northside" and body["organisation"] == world.org.pk
    assert body["parent"] == builtin["id"] and body["version"] == 1
    second = api.post(f"/api/v1/protocols/{body['id']}/clone/", {"base_version": 1}).json()
    assert (second["slug"], second["version"]) == ("hamstring-rts-northside", 2)
    assert api_for(world.other_clinician).get(f"/api/v1/protocols/{body['id']}/").status_code == 404


def test_me_today_week_and_progress(objects, api_for):
    api = api_for(objects.world.athlete_user)
    me = api.get("/api/v1/me/").json()
    assert me["athlete"]["id"] == objects.world.athlete.pk and me["plan"]["id"] == objects.plan.pk
    assert me["latest_decision"]["id"] == objects.decision.pk
    assert me["pending_report"]["id"] == objects.open_session.pk
    assert me["today"] == str(timezone.now().astimezone(objects.world.org.tz).date())
    week = api.get("/api/v1/me/week/", {"year": 2025, "week": 2}).json()
    assert week["phase"] == 0 and week["iso_year"] == 2025
    progress = api.get("/api/v1/me/progress/").json()
    assert [d["id"] for d in progress["decisions"]] == [objects.decision.pk]
    assert {s["id"] for s in progress["sessions"]} == {objects.session.pk, objects.open_session.pk,
                                                       objects.earlier_session.pk}


def test_me_without_a_plan(world, api_for):
    api = api_for(world.other_athlete_user)
    me = api.get("/api/v1/me/").json()
    assert me["plan"] is None and me["today_prescription"] is None and me["latest_decision"] is None
    assert api.get("/api/v1/me/week/").status_code == 404


def test_plans_are_scoped_like_the_selectors(objects, api_for):
    counts = {role: api_for(getattr(objects.world, user)).get("/api/v1/plans/").json()["count"]
              for role, user in [("athlete", "athlete_user"), ("other_athlete", "other_athlete_user"),
                                 ("coach", "coach"), ("other_coach", "other_coach"), ("other_clinician", "other_clinician")]}
    assert counts == {"athlete": 1, "other_athlete": 0, "coach": 1, "other_coach": 0, "other_clinician": 0}


def test_symptom_reports_listed_with_their_session(objects, api_for):
    body = api_for(objects.world.coach).get("/api/v1/symptom-reports/").json()
    assert {r["id"] for r in body["results"]} == {objects.report.pk, objects.earlier_session.symptom_report.pk}
    assert SymptomReport.objects.count() == 2
