"""The athlete's own data (issue 14, point 4): the export zip and anonymisation, both audited, both refused outside
the athlete's organisation (and then nothing changes)."""
import csv
import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from athletes.models import Athlete, Injury, Membership
from core.models import AuditEvent
from progression import services as plan_services
from progression.evidence import session_log_enter, symptom_report_enter
from progression.models import Decision, PlanNote, Protocol
from sessions.models import SessionLog, SymptomReport
from tests.db_snapshot import snapshot as db_snapshot

pytestmark = pytest.mark.django_db

TABLES = ["athlete", "injuries", "plans", "decisions", "sessions", "reports", "ratings", "assessments", "notes",
          "audit_events"]


@pytest.fixture
def history(world):
    """A plan with two sessions, a morning report, decisions, a note and free text in the records."""
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    today = world.org.today()
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                    start_date=today - datetime.timedelta(days=5))
    log, _ = session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(),
                               date=today - datetime.timedelta(days=2), pain_during=2, rpe=Decimal(4), minutes=30)
    symptom_report_enter(actor=world.athlete_user, session_log=log, client_id=uuid.uuid4(), soreness_24h=1)
    session_log_enter(actor=world.athlete_user, athlete=world.athlete, client_id=uuid.uuid4(), date=today,
                      pain_during=1, rpe=Decimal(5), minutes=40)
    plan_services.plan_note_create(actor=world.athlete_user, plan=plan, body="Alex here: my phone is 07700 900123")
    SessionLog.objects.filter(pk=log.pk).update(notes="=HYPERLINK(\"http://x\") felt it at home, Alex")
    Injury.objects.filter(pk=world.injury.pk).update(notes="Alex Runner slipped at the club")
    Athlete.objects.filter(pk=world.athlete.pk).update(date_of_birth=datetime.date(2001, 7, 14), position="wing")
    world.athlete.refresh_from_db()
    world.athlete_user.email = "alex@example.org"
    world.athlete_user.save()
    return {"plan": plan, "log": log}


def _open(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_export_holds_every_table_as_json_and_csv_and_is_audited(world, history):
    data = plan_services.athlete_export_build(actor=world.clinician, athlete=world.athlete,
                                              extra_files={"fhir/everything.json": b'{"resourceType": "Bundle"}'})
    archive = _open(data)
    names = set(archive.namelist())
    assert {"athlete.json", "README.txt", "fhir/everything.json"} | {f"csv/{t}.csv" for t in TABLES} == names
    document = json.loads(archive.read("athlete.json"))
    assert document["athlete"][0]["first_name"] == "Alex"
    assert len(document["sessions"]) == 2 and len(document["reports"]) == 1 and len(document["notes"]) == 1
    assert len(document["plans"]) == 1 and len(document["injuries"]) == 1
    assert len(document["decisions"]) == Decision.objects.filter(plan=history["plan"]).count() >= 2
    about = {e["target_type"] for e in document["audit_events"]}
    assert {"training.sessionlog", "training.symptomreport", "progression.plan", "progression.plannote"} <= about
    # Nothing about the other athletes.
    assert all(row["athlete_id"] == world.athlete.pk for row in document["sessions"])
    sessions = list(csv.DictReader(io.StringIO(archive.read("csv/sessions.csv").decode())))
    assert [row["pain_during"] for row in sessions] == ["2", "1"]
    # A cell a spreadsheet would run as a formula is quoted.
    assert sessions[0]["notes"].startswith("'=HYPERLINK")
    event = AuditEvent.objects.filter(action="athlete.export").get()
    assert (event.actor, event.target_id, event.after["tables"]["sessions"]) == (world.clinician, str(world.athlete.pk), 2)


def test_an_extra_file_cannot_replace_or_escape_the_export(world, history):
    for name in ("athlete.json", "../evil", "/etc/x"):
        with pytest.raises(ValueError):
            plan_services.athlete_export_build(actor=world.clinician, athlete=world.athlete, extra_files={name: b""})


@pytest.mark.parametrize("who", ["other_clinician", "coach", "other_athlete_user"])
def test_the_export_is_refused_outside_the_organisation_and_to_others(world, history, who):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        plan_services.athlete_export_build(actor=getattr(world, who), athlete=world.athlete)
    assert AuditEvent.objects.count() == before


def test_the_clinician_downloads_the_zip_from_the_athlete_page(client, world, history):
    client.force_login(world.clinician)
    page = client.get(reverse("clinic:athlete", args=[world.athlete.pk])).content.decode()
    assert reverse("clinic:athlete_export", args=[world.athlete.pk]) in page
    response = client.get(reverse("clinic:athlete_export", args=[world.athlete.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f"athlete-{world.athlete.pk}-export-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert "athlete.json" in _open(response.content).namelist()


def test_the_athlete_downloads_their_own_export_from_the_progress_page(client, world, history):
    client.force_login(world.athlete_user)
    page = client.get(reverse("me:progress")).content.decode()
    assert reverse("me:export") in page
    response = client.get(reverse("me:export"))
    assert response.status_code == 200
    document = json.loads(_open(response.content).read("athlete.json"))
    assert document["athlete"][0]["id"] == world.athlete.pk
    # The other athlete gets their own data, never Alex's.
    client.force_login(world.other_athlete_user)
    document = json.loads(_open(client.get(reverse("me:export")).content).read("athlete.json"))
    assert document["athlete"][0]["id"] == world.other_athlete.pk and document["sessions"] == []


def test_anonymising_replaces_who_and_free_text_removes_the_login_and_keeps_the_numbers(world, history):
    user = world.athlete_user
    numbers_before = list(SessionLog.objects.filter(athlete=world.athlete).order_by("id")
                          .values_list("pain_during", "rpe", "minutes"))
    counts = plan_services.athlete_anonymise(actor=world.clinician, athlete=world.athlete, confirm=True)
    athlete = Athlete.objects.get(pk=world.athlete.pk)
    assert (athlete.first_name, athlete.last_name) == ("Anonymised", f"athlete {athlete.pk}")
    assert athlete.date_of_birth == datetime.date(2001, 1, 1) and athlete.position == ""
    assert athlete.user is None and athlete.anonymised_at is not None
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert (user.username, user.email, user.first_name, user.last_name) == (f"anonymised-{user.pk}", "", "", "")
    assert not Membership.objects.filter(user=user).exists()
    assert Injury.objects.get(pk=world.injury.pk).notes == "[removed]"
    assert SessionLog.objects.get(pk=history["log"].pk).notes == "[removed]"
    assert PlanNote.objects.get(plan=history["plan"]).body == "[removed]"
    assert counts["texts_replaced"] == 3 and counts["login_removed"] is True
    # The clinical numbers stay for the clinic's statistics.
    assert list(SessionLog.objects.filter(athlete=athlete).order_by("id")
                .values_list("pain_during", "rpe", "minutes")) == numbers_before
    assert SymptomReport.objects.filter(session_log__athlete=athlete).count() == 1
    assert Injury.objects.get(pk=world.injury.pk).bamic_grade == world.injury.bamic_grade
    event = AuditEvent.objects.filter(action="athlete.anonymise").get()
    assert event.actor == world.clinician and "Alex" not in json.dumps(event.after)
    # Once is enough.
    with pytest.raises(ValidationError, match="already anonymised"):
        plan_services.athlete_anonymise(actor=world.clinician, athlete=athlete, confirm=True)


def test_the_anonymised_athlete_can_no_longer_log_in(client, world, history):
    plan_services.athlete_anonymise(actor=world.clinician, athlete=world.athlete, confirm=True)
    for username in ("ath", f"anonymised-{world.athlete_user.pk}"):
        client.post(reverse("login"), {"username": username, "password": "pw"})
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("who", ["other_clinician", "coach", "athlete_user"])
def test_anonymising_is_refused_outside_the_organisation_and_changes_nothing(world, history, who):
    before = db_snapshot()
    with pytest.raises(PermissionDenied):
        plan_services.athlete_anonymise(actor=getattr(world, who), athlete=world.athlete, confirm=True)
    assert db_snapshot() == before


def test_the_page_asks_for_confirmation_first_and_says_why_in_plain_words(client, world, history):
    client.force_login(world.clinician)
    url = reverse("clinic:athlete_anonymise", args=[world.athlete.pk])
    page = client.get(url).content.decode()
    assert "This cannot be undone" in page and "Anonymise for good" in page
    before = db_snapshot()
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Tick the box to confirm: anonymising cannot be undone." in response.content.decode()
    assert db_snapshot() == before
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert Athlete.objects.get(pk=world.athlete.pk).first_name == "Anonymised"
    page = client.get(reverse("clinic:athlete", args=[world.athlete.pk])).content.decode()
    assert "Anonymised:" in page and "Alex" not in page


def test_both_export_pages_carry_the_athletes_fhir_bundle_and_it_validates(client, world, history):
    """The zip's fhir/everything.json is the Patient/$everything Bundle of /fhir/, valid against the R4B models."""
    from fhir.resources.R4B.bundle import Bundle

    for user, url in [(world.clinician, reverse("clinic:athlete_export", args=[world.athlete.pk])),
                      (world.athlete_user, reverse("me:export"))]:
        client.force_login(user)
        bundle = json.loads(_open(client.get(url).content).read("fhir/everything.json"))
        Bundle.model_validate(bundle)
        patients = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
        assert [p["id"] for p in patients] == [str(world.athlete.pk)]
        assert any(e["resource"]["resourceType"] == "Observation" for e in bundle["entry"])
