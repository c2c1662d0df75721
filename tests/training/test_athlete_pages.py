"""The athlete's phone pages: a retried submission is never duplicated, errors are plain, red flags say stop."""
import uuid

import pytest

from core import clock
from progression import services as plan_services
from progression.models import Protocol
from sessions.models import SessionLog, SymptomReport
from tests.conftest import next_morning

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return plan_services.plan_start(actor=world.clinician, injury=world.injury,
                                    protocol=Protocol.objects.get(slug="hamstring-rts", version=1))


def form(cid, **extra):
    return {"client_id": str(cid), "pain_during": 1, "rpe": 4, "minutes": 30, **extra}


def test_the_same_form_posted_twice_logs_once(world, plan, client_for):
    client, cid = client_for(world.athlete_user), uuid.uuid4()
    first = client.post("/me/log/", form(cid))
    second = client.post("/me/log/", form(cid), follow=True)
    assert first.status_code == 302
    assert "Already logged: we kept the first one." in second.content.decode()
    assert SessionLog.objects.count() == 1


def test_out_of_range_is_refused_with_a_plain_message(world, plan, client_for):
    response = client_for(world.athlete_user).post("/me/log/", form(uuid.uuid4(), pain_during=11, minutes=700))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. 11 is not one of the available choices." in body
    assert "Ensure this value is less than or equal to 600." in body
    assert not SessionLog.objects.exists()


def test_a_red_flag_tells_the_athlete_to_stop(world, plan, client_for):
    response = client_for(world.athlete_user).post("/me/log/", form(uuid.uuid4(), red_flag="on"), follow=True)
    assert "Stop running today" in response.content.decode()
    assert "Your clinician has been alerted" in response.content.decode()
    plan.refresh_from_db()
    assert plan.review_pending


def test_morning_report_one_tap_from_the_link_and_retry_safe(world, plan, client_for):
    client = client_for(world.athlete_user)
    client.post("/me/log/", form(uuid.uuid4()))
    log = SessionLog.objects.get()
    clock.travel_to(next_morning(world.org))
    page = client.get(f"/me/sessions/{log.pk}/morning/?soreness=2").content.decode()
    assert 'value="2" id="id_soreness_24h_2" checked' in page
    cid = uuid.uuid4()
    client.post(f"/me/sessions/{log.pk}/morning/", {"client_id": str(cid), "soreness_24h": 2})
    client.post(f"/me/sessions/{log.pk}/morning/", {"client_id": str(cid), "soreness_24h": 2})
    assert SymptomReport.objects.count() == 1


def test_progress_page_shows_milestones_and_a_chart(world, plan, client_for):
    client = client_for(world.athlete_user)
    client.post("/me/log/", form(uuid.uuid4()))
    body = client.get("/me/progress/").content.decode()
    assert "Plan started in phase 0" in body and "<svg" in body


def test_pages_work_without_a_plan(world, client_for):
    client = client_for(world.other_athlete_user)
    assert "No plan yet" in client.get("/me/").content.decode()
    assert "No plan yet" in client.get("/me/progress/").content.decode()


def test_technique_video_size_is_limited(world, plan, client_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.VIDEO_MAX_BYTES = 10
    client_for(world.athlete_user).post("/me/log/", form(uuid.uuid4()))
    log = SessionLog.objects.get()
    response = client_for(world.coach).post(f"/coach/sessions/{log.pk}/rate/", {
        "items_correct": ["tall_posture"], "video": SimpleUploadedFile("clip.mp4", b"x" * 100, "video/mp4")})
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not log.technique_ratings.exists()


def test_coach_rating_sets_the_technique_score(world, plan, client_for):
    client_for(world.athlete_user).post("/me/log/", form(uuid.uuid4()))
    log = SessionLog.objects.get()
    response = client_for(world.coach).post(f"/coach/sessions/{log.pk}/rate/", {
        "items_correct": ["tall_posture", "neutral_pelvis", "dorsiflexed_foot", "knee_drive", "strike_under_hips", "arm_action"],
        "fresh_pct": "83.3", "fatigued_pct": "58.3", "video_url": "https://video.example.org/clip"})
    assert response.status_code == 302
    log.refresh_from_db()
    assert str(log.technique) == "75.0" and str(log.technique_fresh) == "83.3"
    decision = log.decisions.order_by("-id").first()
    assert decision is not None
