"""Hostile input to the pages: a form error or a plain page, never a 500 (issue 10, findings 6, 7 and 9)."""
import datetime
import json

import pytest

from athletes.models import Athlete, Injury
from core.models import Notification, OutboxMessage
from progression import engine
from progression.engine_io import to_json_safe
from progression.models import Plan, Protocol

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.default_format = "json"
        client.force_login(user)
        return client
    return make


@pytest.fixture
def default(world):
    return Protocol.objects.get(slug="hamstring-rts", version=1)


# --- integers in query strings ---------------------------------------------------------------------------

@pytest.mark.parametrize("who, url", [
    ("clinician", f"/clinic/?team={BIG}"), ("clinician", f"/clinic/?team=-{BIG}"), ("clinician", f"/clinic/?page={BIG}"),
    ("clinician", "/clinic/?team=%00&status=%00&order=%00"), ("clinician", "/clinic/?team=\u0661"),
    ("coach", f"/coach/?team={BIG}"), ("coach", f"/coach/?year={BIG}&week=1"), ("coach", f"/coach/?year=2025&week={BIG}"),
    ("coach", "/coach/?year=-5&week=1"), ("coach", f"/coach/week.csv?team={BIG}&year={BIG}&week={BIG}"),
    ("coach", f"/coach/week.ics?year={'9' * 5000}&week=1"),
])
def test_query_string_integers_are_range_checked(world, client_for, who, url):
    response = client_for(getattr(world, who)).get(url)
    assert response.status_code == 200


def test_a_huge_soreness_in_the_reminder_link_is_ignored(world, client_for):
    from sessions.models import SessionLog

    log = SessionLog.objects.create(athlete=world.athlete, pain_during=1, rpe=5, minutes=30,
                                    date=world.org.today() - datetime.timedelta(days=2))  # its report is open
    page = client_for(world.athlete_user).get(f"/me/sessions/{log.pk}/morning/?soreness={BIG}")
    assert page.status_code == 200
    assert page.context["form"].initial.get("soreness_24h") is None


# --- the protocol editor and the bench ----------------------------------------------------------------------

def _definition_text(default, change):
    data = to_json_safe(default.definition)
    change(data)
    return json.dumps(data)


def test_a_nul_character_in_protocol_json_is_a_form_error_naming_the_field(world, default, client_for):
    def nul(d):
        d["phases"][1]["name"] = "Technique\x00"
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/",
                                                {"mode": "json", "definition": _definition_text(default, nul)})
    assert response.status_code == 200
    errors = response.context["json_form"].errors
    assert "definition" in errors and "Null characters" in errors["definition"][0]
    assert "phases[1].name" in errors["definition"][0]
    assert not Protocol.objects.filter(organisation=world.org).exists()


def test_a_nul_character_in_a_protocol_key(world, default, client_for):
    def nul(d):
        d["notes\x00"] = "x"
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/",
                                                {"mode": "json", "definition": _definition_text(default, nul)})
    assert response.status_code == 200 and "definition" in response.context["json_form"].errors


def test_the_service_refuses_nul_characters_too(world, default):
    from django.core.exceptions import ValidationError

    from progression import services

    data = engine.default_protocol_data()
    data["name"] = "x\x00"
    with pytest.raises(ValidationError) as exc:
        services.protocol_new_version(actor=world.clinician, protocol=default, definition=data, organisation=world.org,
                                      base_version=0)
    assert "definition" in exc.value.message_dict


@pytest.mark.parametrize("depth", [100, 50_000])
def test_deep_json_in_the_protocol_editor_is_a_form_error(world, default, client_for, depth):
    text = '{"x": ' + "[" * depth + "]" * depth + "}"
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/",
                                                {"mode": "json", "definition": text})
    assert response.status_code == 200
    assert "nested more than 64 levels" in response.context["json_form"].errors["definition"][0]


@pytest.mark.parametrize("text", ["[" * 50_000 + "]" * 50_000, '{"scenarios": []}\x00'])
def test_hostile_scenario_files_on_the_bench(world, default, client_for, text):
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/bench/", {"text": text})
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("change, path", [
    (lambda d: d["phases"][1]["exit"].__setitem__("min_lsi", 1e400), "min_lsi"),
    (lambda d: d["rules"][0].__setitem__("pain_at_least", 11), "pain_at_least"),
    (lambda d: d["phases"][2]["exit"].__setitem__("max_pain", -1), "max_pain"),
    (lambda d: d["phases"][1]["exit"].__setitem__("min_lsi", 500), "min_lsi"),
    (lambda d: d["phases"][3]["exit"].__setitem__("min_peak_speed", {"value": 130, "scope": "latest"}), "min_peak_speed"),
    (lambda d: d["phases"][0]["exit"].__setitem__("min_sessions", 10**30), "min_sessions"),
    (lambda d: d["load"].__setitem__("chronic_n", 10**6), "chronic_n"),
    (lambda d: d["phases"][2]["items"][0].__setitem__("intensity_pct", {"min": 60, "max": 500}), "intensity_pct"),
])
def test_implausible_thresholds_are_refused_by_the_protocol_editor(world, default, client_for, change, path):
    text = _definition_text(default, change).replace("Infinity", "1e400")
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/",
                                                {"mode": "json", "definition": text})
    assert response.status_code == 200
    assert path in response.content.decode()
    assert not Protocol.objects.filter(organisation=world.org).exists()


def test_the_numbers_form_refuses_a_pain_threshold_of_11(world, default, client_for):
    from progression.protocol_editing import editable_numbers

    data = {"mode": "numbers", "name": "Ours", "base_version": 0}
    for row in editable_numbers(to_json_safe(default.definition)):
        data[row["key"]] = row["value"]
    data["rule.red_flag.pain_at_least"] = "11"
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/", data)
    assert response.status_code == 200 and "from 0 to 10" in response.content.decode()
    assert not Protocol.objects.filter(organisation=world.org).exists()


# --- plausible dates --------------------------------------------------------------------------------------

def test_an_injury_in_year_one_is_refused(world, client_for):
    response = client_for(world.clinician).post(f"/clinic/athletes/{world.athlete.pk}/injuries/new/", {
        "side": "left", "muscle": "bflh", "bamic_grade": 2, "bamic_site": "b", "mechanism": "sprint",
        "date_of_injury": "0001-01-01"})
    assert response.status_code == 200
    assert "more than 5 years ago" in response.context["form"].errors["date_of_injury"][0]
    assert Injury.objects.filter(athlete=world.athlete).count() == 1


def test_an_injury_within_five_years_is_accepted(world, client_for):
    day = world.org.today() - datetime.timedelta(days=4 * 365)
    response = client_for(world.clinician).post(f"/clinic/athletes/{world.athlete.pk}/injuries/new/", {
        "side": "left", "muscle": "bflh", "bamic_grade": 2, "bamic_site": "b", "mechanism": "sprint",
        "date_of_injury": day.isoformat()})
    assert response.status_code == 302


@pytest.mark.parametrize("start, message", [("9999-12-31", "after today"), ("2001-01-01", "before the injury")])
def test_implausible_plan_starts_are_refused(world, default, client_for, start, message):
    response = client_for(world.clinician).post(f"/clinic/athletes/{world.athlete.pk}/plan/new/", {
        "injury": world.injury.pk, "protocol": default.pk, "start_phase": 0, "start_date": start,
        "advance_requires_signoff": "on"})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Plan.objects.exists()


def test_a_plan_starting_tomorrow_is_refused_by_the_api(world, default, api_for):
    tomorrow = world.org.today() + datetime.timedelta(days=1)
    response = api_for(world.clinician).post("/api/v1/plans/", {
        "injury": world.injury.pk, "protocol": default.pk, "start_date": tomorrow.isoformat()})
    assert response.status_code == 400 and "start_date" in response.json()


def test_a_plan_more_than_five_years_old_is_refused(world, default):
    from django.core.exceptions import ValidationError

    from progression import services

    old_injury = Injury.objects.create(athlete=world.athlete, side="right", bamic_grade=1,
                                       date_of_injury=datetime.date(2001, 1, 1), recorded_on=datetime.date(2001, 1, 2))
    with pytest.raises(ValidationError) as exc:
        services.plan_start(actor=world.clinician, injury=old_injury, protocol=default,
                            start_date=datetime.date(2001, 1, 3))
    assert "more than 5 years ago" in str(exc.value)


@pytest.mark.parametrize("age_years, ok", [(3, False), (8, True), (35, True), (100, True), (101, False), (1900, False)])
def test_date_of_birth_is_plausible(world, api_for, age_years, ok):
    from athletes.models import years_before

    born = years_before(world.org.today(), age_years) if age_years < 1000 else datetime.date(1, 1, 1)
    response = api_for(world.clinician).post("/api/v1/athletes/", {"first_name": "A", "last_name": "B",
                                                                   "date_of_birth": born.isoformat()})
    if ok:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 400 and "8 to 100 years" in response.json()["date_of_birth"][0]


def test_a_maximal_velocity_from_the_future_is_refused(world, api_for):
    tomorrow = world.org.today() + datetime.timedelta(days=1)
    response = api_for(world.clinician).patch(f"/api/v1/athletes/{world.athlete.pk}/", {"vmax_date": tomorrow.isoformat()})
    assert response.status_code == 400 and "vmax_date" in response.json()


# --- names and the emails built from them ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Alex\nRunner", "Alex\r\nBcc: x@example.org", "Tab\tbed", "A\u2028B", "A\u202eB"])
def test_names_with_control_characters_are_refused(world, client_for, api_for, name):
    page = client_for(world.clinician).post("/clinic/athletes/new/", {"first_name": name, "last_name": "X"})
    assert page.status_code == 200 and "control characters" in page.context["form"].errors["first_name"][0]
    api = api_for(world.clinician).post("/api/v1/athletes/", {"first_name": "Ok", "last_name": name})
    assert api.status_code == 400 and "last_name" in api.json()
    patch = api_for(world.clinician).patch(f"/api/v1/athletes/{world.athlete.pk}/", {"first_name": name})
    assert patch.status_code == 400
    assert not Athlete.objects.filter(last_name=name).exists()


def test_user_names_with_newlines_are_refused(world):
    from django.core.exceptions import ValidationError

    from athletes import services

    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=world.clinician, organisation=world.org, role="coach", username="newcoach",
                             password=None, first_name="New\nCoach")
    assert "first_name" in exc.value.message_dict


def test_an_alert_about_an_athlete_with_a_newline_in_an_old_name_is_still_emailed(
        world, mailoutbox, django_capture_on_commit_callbacks):
    """A name written before the rule (or by raw SQL) must not lose the email: the subject is cleaned."""
    from core.notifications import notify

    Athlete.objects.filter(pk=world.athlete.pk).update(first_name="Alex\nBcc: evil@example.org")
    world.athlete.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=world.clinician, kind="red_flag", title=f"Red flag: {world.athlete.full_name}", email=True)
    message = OutboxMessage.objects.get(handler="core.send_notification_email")
    assert message.status == "done", message.last_error
    assert len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject and "Red flag: Alex Bcc: evil@example.org Runner" in mailoutbox[0].subject
    assert mailoutbox[0].to == [world.clinician.email] and not mailoutbox[0].bcc


# --- an outbox row that fails for good alerts people ----------------------------------------------------------

def test_a_failed_outbox_row_alerts_the_organisations_clinicians_and_staff(
        world, mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    from core import outbox
    from core.notifications import notify

    note = notify(recipient=world.coach, kind="info", title="Week plan")  # a coach of world.org
    message = OutboxMessage.objects.create(handler="core.send_notification_email",
                                           payload={"notification_id": note.pk}, dedupe_key="email:boom")

    def boom(payload):
        raise RuntimeError("SMTP said no")

    monkeypatch.setitem(outbox.HANDLERS, "core.send_notification_email", boom)
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == "failed"
    alerts = Notification.objects.filter(kind="delivery_failed")
    told = set(alerts.values_list("recipient__username", flat=True))
    assert {"clin", "staff", "coach"} <= told, told
    assert "clin2" not in told, "another organisation's clinician is not told"
    assert alerts.filter(recipient=world.clinician, title__contains="an alert email").exists()
    assert OutboxMessage.objects.filter(handler="core.send_notification_email",
                                        payload__notification_id=alerts.get(recipient=world.clinician).pk).exists(), \
        "the clinician is emailed too"


def test_an_alert_about_a_failed_alert_email_is_not_emailed_again(world, monkeypatch):
    from core import outbox
    from core.notifications import notify

    alert = notify(recipient=world.clinician, kind="delivery_failed", title="x", dedupe_key="outbox-failed:999")
    message = OutboxMessage.objects.create(handler="core.send_notification_email",
                                           payload={"notification_id": alert.pk}, dedupe_key="email:alert")
    monkeypatch.setitem(outbox.HANDLERS, "core.send_notification_email", lambda payload: 1 / 0)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(message.pk)
    assert Notification.objects.filter(dedupe_key=f"outbox-failed:{message.pk}").exists()
    assert OutboxMessage.objects.count() == 1, "no email about the email about the email"
