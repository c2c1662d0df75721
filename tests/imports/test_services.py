"""Imports end to end through the services: sample files in each format, every bad case, re-imports, undo."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import Conflict
from imports import services
from imports.models import ImportBatch, ImportedRecord, PendingMeasurement, VmaxProposal
from progression import evidence
from progression.models import Decision
from sessions.models import Assessment
from tests.factories import AthleteFactory, InjuryFactory
from tests.imports.conftest import sample

pytestmark = pytest.mark.django_db


def today(w):
    return w.org.today()


def preview(w, name, **kw):
    return services.import_preview(actor=w.clinician, organisation=w.org, file_name=name,
                                   data=kw.pop("data", None) or sample(name, today(w)), **kw)


def rows_by_line(batch):
    return {r["line"]: r for r in batch.rows}


def test_vald_nordbord_becomes_assessments_with_the_projects_lsi_and_a_decision(imports_world):
    w = imports_world
    InjuryFactory(athlete=w.other_athlete, side="right")
    _log(w, w.athlete, today(w) - datetime.timedelta(days=1))  # the engine decides once the stint has a session
    batch = preview(w, "vald_nordbord.csv")
    assert batch.source == "vald" and batch.rows_total == 3 and batch.rows_ready == 3
    first = batch.rows[0]
    assert first["match"] == "external id VALD-001" and first["athlete_id"] == w.athlete.pk
    assert first["shown"]["lsi"] == "75.0" and first["shown"]["injured_side"] == "left"
    assert batch.rows[1]["match"] == "name" and batch.rows[1]["athlete_id"] == w.other_athlete.pk
    assert any("injured leg's force / uninjured" in n for n in batch.notes)
    assert Assessment.objects.count() == 0  # a preview writes nothing

    services.import_confirm_start(actor=w.clinician, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.rows_written == 3 and batch.confirmed_by == w.clinician
    alex = list(Assessment.objects.filter(injury=w.injury).order_by("assessed_on"))
    assert [(a.strength_method, a.strength_injured_n, a.strength_uninjured_n, a.strength_lsi) for a in alex] == [
        ("nordic", Decimal("300.0"), Decimal("400.0"), Decimal("75.0")),
        ("nordic", Decimal("359.8"), Decimal("400.0"), Decimal("89.9")),  # 89.95 as computed, shown rounded down
    ]
    assert "device's own imbalance 25 % (kept, not used)" in alex[0].notes
    assert alex[0].pain_palpation is None and alex[0].plan == w.plan
    sam = Assessment.objects.get(injury__athlete=w.other_athlete)  # right side injured: R / L
    assert sam.strength_injured_n == Decimal("410.0") and sam.strength_uninjured_n == Decimal("380.0")
    decisions = Decision.objects.filter(plan=w.plan, trigger="assessment")
    assert decisions.count() == 1 and "vald_nordbord.csv" in decisions.get().trigger_note

    # The same file again, and an overlapping one, write nothing twice.
    again = preview(w, "vald_nordbord.csv")
    assert again.rows_ready == 0 and all("Already imported" in r["reason"] for r in again.rows)
    assert "This same file was imported" in again.notes[0]
    with pytest.raises(ValidationError, match="No line"):
        services.import_confirm(actor=w.clinician, batch=again)
    assert Assessment.objects.count() == 3


def test_undo_voids_what_the_import_wrote_and_re_evaluates(imports_world):
    w = imports_world
    _log(w, w.athlete, today(w) - datetime.timedelta(days=1))
    batch = preview(w, "vald_nordbord.csv")
    services.import_confirm(actor=w.clinician, batch=batch)
    with pytest.raises(ValidationError, match="Say why"):
        services.import_undo(actor=w.clinician, batch=batch, reason=" ")
    batch, notes = services.import_undo(actor=w.clinician, batch=batch, reason="wrong athlete's export")
    assert batch.status == "undone" and notes == []
    assert all(a.is_void and "wrong athlete's export" in a.void_reason for a in Assessment.objects.all())
    assert Decision.objects.filter(plan=w.plan, trigger="correction").exists()
    assert not ImportedRecord.objects.filter(active=True).exists()
    with pytest.raises(Conflict):
        services.import_undo(actor=w.clinician, batch=batch, reason="twice")
    # Undone, the readings may be imported again.
    assert preview(w, "vald_nordbord.csv").rows_ready == 2


def test_forceframe_latin1_semicolons_decimal_commas(imports_world):
    w = imports_world
    zoe = AthleteFactory(organisation=w.org, first_name="Zoë", last_name="Lévêque")
    InjuryFactory(athlete=zoe, side="right")
    batch = preview(w, "vald_forceframe_semicolon_latin1.csv")
    lines = list(batch.rows)
    assert lines[0]["status"] == "ready" and lines[0]["write"]["strength_method"] == "iso_90_90"
    assert lines[0]["write"]["strength_injured_n"] == "310.0" and lines[0]["write"]["strength_uninjured_n"] == "250.5"
    assert lines[1]["status"] == "skip" and "not a hamstring test" in lines[1]["reason"]
    assert lines[2]["write"]["strength_method"] == "iso_0_30" and lines[2]["write"]["strength_injured_n"] == "1300.0"
    services.import_confirm(actor=w.clinician, batch=batch)
    assert Assessment.objects.filter(injury__athlete=zoe).count() == 2


def test_every_bad_line_is_named_with_its_reason_and_nothing_of_it_is_written(imports_world):
    w = imports_world
    batch = preview(w, "vald_bad_rows_utf16.csv")
    reasons = [r["reason"] for r in batch.rows]
    assert batch.rows_ready == 1
    expected = ["", "The same reading as line 2", "No athlete “Nobody Known”", "in the future",
                "before the injury", "force is 0 N", "force is -35 N", "No right leg force", "“abc” is not a number",
                "not a date that exists", "more than 5000 N"]
    for reason, words in zip(reasons, expected, strict=True):
        assert words in reason, (words, reason)
    services.import_confirm(actor=w.clinician, batch=batch)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("data, words", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x10IHDR" * 200, "not a CSV file"),
    (b"", "empty"),
    (b"Player,When,Fastest\nA,01/01/2025,9\n", "columns were not recognised"),
    (b"just one line of prose without separators\n", "does not look like a CSV table"),
    (b"Name,Date UTC,L Max Force (N),R Max Force (N)\n", "holds no readings"),
])
def test_files_that_cannot_be_read_say_why_and_write_nothing(imports_world, data, words):
    w = imports_world
    with pytest.raises(ValidationError, match=words):
        services.import_preview(actor=w.clinician, organisation=w.org, file_name="x.csv", data=data)
    assert not ImportBatch.objects.exists()


def test_a_50_mb_file_is_refused(imports_world):
    w = imports_world
    data = b"Name,Date UTC,L Max Force (N),R Max Force (N)\n" + b"Alex Runner,01/01/2025,300,400\n" * 1_700_000
    assert len(data) > 50_000_000
    with pytest.raises(ValidationError, match="the limit is 10 MB"):
        services.import_preview(actor=w.clinician, organisation=w.org, file_name="big.csv", data=data)


def test_only_a_clinician_of_the_organisation_imports(imports_world):
    from django.core.exceptions import PermissionDenied

    w = imports_world
    for user in (w.coach, w.athlete_user, w.other_clinician):
        with pytest.raises(PermissionDenied):
            services.import_preview(actor=user, organisation=w.org, file_name="a.csv", data=sample("vald_nordbord.csv"))


def _log(w, athlete, day, **kw):
    log, _ = evidence.session_log_enter(actor=w.clinician, athlete=athlete, date=day, pain_during=1, rpe=5,
                                        minutes=40, **kw)
    return log


def test_catapult_summary_sets_the_sessions_peak_speed_and_proposes_vmax(imports_world):
    w = imports_world
    w.other_athlete.vmax_mps = Decimal("9.00")
    w.other_athlete.save()
    log = _log(w, w.athlete, today(w) - datetime.timedelta(days=2))
    batch = preview(w, "catapult_summary.csv", efforts_are_95=True)
    lines = list(batch.rows)
    assert lines[0]["status"] == "ready" and lines[0]["target"] == "measurement"
    assert lines[0]["shown"]["pct_vmax"] == "104.7" and lines[0]["vmax_proposal"] == "8.90"
    assert "faster than any human" in lines[1]["reason"]
    assert "No athlete “Nobody Known”" in lines[2]["reason"]
    assert "in the future" in lines[3]["reason"]
    assert "negative" in lines[4]["reason"]
    services.import_confirm(actor=w.clinician, batch=batch)
    log.refresh_from_db()
    assert log.peak_speed_mps == Decimal("8.90") and log.peak_speed_pct == Decimal("104.7") and log.efforts_95 == 3
    assert Decision.objects.filter(plan=w.plan, trigger="measurement").exists()
    # Vmax: proposed, never applied silently.
    w.athlete.refresh_from_db()
    assert w.athlete.vmax_mps == Decimal("8.50")
    proposal = VmaxProposal.objects.get(athlete=w.athlete)
    services.vmax_proposal_decide(actor=w.clinician, proposal=proposal, accept=True)
    w.athlete.refresh_from_db()
    assert w.athlete.vmax_mps == Decimal("8.90") and w.athlete.vmax_source == "gps"
    # Undo puts the session back as it was.
    services.import_undo(actor=w.clinician, batch=batch, reason="wrong day")
    log.refresh_from_db()
    assert log.peak_speed_mps is None and log.peak_speed_pct is None and log.efforts_95 is None


def test_summary_efforts_are_not_written_unless_the_band_is_95_percent(imports_world):
    w = imports_world
    log = _log(w, w.athlete, today(w) - datetime.timedelta(days=2))
    services.import_confirm(actor=w.clinician, batch=preview(w, "catapult_summary.csv"))
    log.refresh_from_db()
    assert log.peak_speed_mps == Decimal("8.90") and log.efforts_95 is None


def test_a_hand_entered_speed_is_not_overwritten(imports_world):
    w = imports_world
    log = _log(w, w.athlete, today(w) - datetime.timedelta(days=2))
    evidence.session_measurements_enter(actor=w.coach, session_log=log, peak_speed_mps=Decimal("8.1"))
    batch = preview(w, "catapult_summary.csv")
    assert "entered by hand" in batch.rows[0]["reason"]


def test_statsports_kmh_is_held_until_the_session_is_logged(imports_world, django_capture_on_commit_callbacks):
    w = imports_world
    w.other_athlete.vmax_mps = None
    w.other_athlete.save()
    batch = preview(w, "statsports_kmh_semicolon_bom.csv", efforts_are_95=True)
    alex = batch.rows[0]
    assert alex["match"] == "name" and alex["target"] == "pending" and alex["shown"]["speed_mps"] == "9.31"
    assert "no Vmax" in batch.rows[1]["reason"]
    services.import_confirm(actor=w.clinician, batch=batch)
    pending = PendingMeasurement.objects.get()
    assert pending.is_open and pending.peak_speed_mps == Decimal("9.31") and pending.efforts_95 == 4
    with django_capture_on_commit_callbacks(execute=True):
        log = _log(w, w.athlete, today(w) - datetime.timedelta(days=1))
    log.refresh_from_db()
    pending.refresh_from_db()
    assert log.peak_speed_mps == Decimal("9.31") and log.efforts_95 == 4 and pending.applied_to == log
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="import.pending_applied", target_id=str(log.pk)).exists()
    # Undo after it was applied puts the session back.
    services.import_undo(actor=w.clinician, batch=batch, reason="test file")
    log.refresh_from_db()
    assert log.peak_speed_mps is None and log.efforts_95 is None


def _trace_file(speeds, hz=10, unit="m/s"):
    lines = [f"Time (s),Speed ({unit})"] + [f"{i / hz:.2f},{s:.2f}" for i, s in enumerate(speeds)]
    return ("\n".join(lines) + "\n").encode()


def test_a_raw_trace_counts_efforts_against_the_athletes_vmax(imports_world):
    w = imports_world  # Vmax 8.50: efforts from 8.075 m/s, reset below 7.65 m/s
    speeds = [3.0] * 50 + [8.2] * 10 + [7.8] * 5 + [8.3] * 5 + [6.0] * 20 + [8.4] * 10 + [3.0] * 50
    log = _log(w, w.athlete, today(w) - datetime.timedelta(days=1))
    batch = preview(w, "trace.csv", data=_trace_file(speeds), athlete=w.athlete,
                    session_date=today(w) - datetime.timedelta(days=1))
    row = batch.rows[0]
    assert row["status"] == "ready" and row["write"] == {"peak_speed_mps": "8.40", "efforts_95": 2}
    assert row["shown"]["rate_hz"] == 10.0 and any("continuous stretch" in n for n in batch.notes)
    services.import_confirm(actor=w.clinician, batch=batch)
    log.refresh_from_db()
    assert log.efforts_95 == 2 and log.peak_speed_mps == Decimal("8.40")


def test_a_trace_needs_its_athlete_and_10_hz(imports_world):
    w = imports_world
    with pytest.raises(ValidationError, match="choose the athlete"):
        preview(w, "trace.csv", data=_trace_file([5.0] * 40))
    with pytest.raises(ValidationError, match="Hz"):
        preview(w, "trace.csv", data=_trace_file([5.0] * 40, hz=4), athlete=w.athlete, session_date=today(w))


def test_a_saved_column_mapping_reads_another_dynamometer(imports_world):
    w = imports_world
    mapping = services.column_mapping_save(actor=w.clinician, organisation=w.org, name="Clinic dynamometer",
                                           kind="strength", columns={"name": "Athlete", "date": "Tested on",
                                                                     "l_force": "Left (N)", "r_force": "Right (N)",
                                                                     "method": "iso_90_90"})
    batch = preview(w, "other_dynamometer.csv", mapping=mapping)
    assert batch.rows_ready == 1 and batch.rows[0]["write"]["strength_injured_n"] == "281.5"
    services.import_confirm(actor=w.clinician, batch=batch)
    assert Assessment.objects.get().strength_method == "iso_90_90"
    with pytest.raises(ValidationError):
        services.column_mapping_save(actor=w.clinician, organisation=w.org, name="x", kind="strength",
                                     columns={"name": "A"})


def test_confirm_is_all_or_nothing(imports_world, monkeypatch):
    w = imports_world
    batch = preview(w, "vald_nordbord.csv")
    real = services._write_assessments

    def write_then_fail(**kw):
        real(**kw)  # the assessments and their records are written ...
        raise ValidationError("Line 5: boom Nothing was imported.")  # ... then a later step fails

    monkeypatch.setattr(services, "_write_assessments", write_then_fail)
    with pytest.raises(ValidationError, match="Line 5: boom Nothing was imported"):
        services.import_confirm(actor=w.clinician, batch=batch)
    assert not Assessment.objects.exists() and not ImportedRecord.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_a_line_the_model_refuses_at_confirm_names_its_line_and_writes_nothing(imports_world):
    w = imports_world
    batch = preview(w, "vald_nordbord.csv")
    batch.rows[2]["write"]["strength_method"] = ""  # as if the preview had let a line without a method through
    batch.save()
    with pytest.raises(ValidationError, match="Line 5: .*how strength was tested.* Nothing was imported"):
        services.import_confirm(actor=w.clinician, batch=batch)
    assert not Assessment.objects.exists()


def test_a_preview_that_went_stale_imports_nothing(imports_world):
    w = imports_world
    first, second = preview(w, "vald_nordbord.csv"), preview(w, "vald_nordbord.csv")
    services.import_confirm(actor=w.clinician, batch=first)
    with pytest.raises(Conflict, match="changed since the preview"):
        services.import_confirm(actor=w.clinician, batch=second)
    assert Assessment.objects.count() == 2


def test_a_large_file_confirms_in_the_background(imports_world, settings, django_capture_on_commit_callbacks):
    w = imports_world
    settings.IMPORT_BACKGROUND_ROWS = 1
    batch = preview(w, "vald_nordbord.csv")
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.import_confirm_start(actor=w.clinician, batch=batch)
        assert queued.status == "queued"
    batch.refresh_from_db()
    assert batch.status == "done" and batch.rows_written == 2 and services.progress_of(batch) == 100
