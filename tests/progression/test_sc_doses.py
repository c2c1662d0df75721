"""Dosed strength and conditioning (issue 12, point 2): the default protocol's version 2 (made by a data
migration from version 1, which stays as it was) doses every S&C item with sets x reps or a time, load guidance and
a progression; the coach's grid, the athlete's today page, the CSV and the iCalendar file carry the dose; the
clinicians' "practice default" notes reach clinicians only."""
import csv
import datetime
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from core import clock
from progression import engine, services
from progression.engine_io import engine_protocol
from progression.exports import CSV_COLUMNS, item_text, week_csv, week_ics
from progression.models import Protocol
from progression.protocol_doses import SC_BLOCKS, with_sc_doses
from progression.selectors.grid import week_grid
from tests.factories import InjuryFactory

ROOT = Path(__file__).resolve().parents[2]
DOSES = json.loads((ROOT / "progression/protocols/hamstring-rts-sc-doses.json").read_text())


def _v2():
    return engine.protocol_from_dict(with_sc_doses(engine.default_protocol_data(), DOSES, version=2))


def test_every_sc_item_of_every_phase_is_dosed():
    p = _v2()
    assert p.version == 2
    for phase in p.phases:
        for item in phase.items:
            if item.block in SC_BLOCKS:
                assert item.load, (phase.number, item.name)
                # team training is the team's session: its dose is the team's, in words
                if item.name != "Modified, then full team training":
                    assert item.sets is not None or item.time_s is not None, (phase.number, item.name)
                assert not (item.notes and "practice default" in item.notes), (phase.number, item.name)
                assert item.clinician_note and "practice default" in item.clinician_note


def test_the_doses_leave_the_decisions_alone():
    """Version 2 differs from version 1 only in the S&C items: same phases, exits and rules."""
    v1, v2 = engine.default_protocol_data(), with_sc_doses(engine.default_protocol_data(), DOSES, version=2)
    assert {k: v for k, v in v1.items() if k not in ("phases", "version")} == \
        {k: v for k, v in v2.items() if k not in ("phases", "version")}
    for a, b in zip(v1["phases"], v2["phases"], strict=True):
        assert {k: v for k, v in a.items() if k != "items"} == {k: v for k, v in b.items() if k != "items"}
        assert [(i["block"], i["name"]) for i in a["items"]] == [(i["block"], i["name"]) for i in b["items"]]
        assert [i for i in a["items"] if i["block"] not in SC_BLOCKS] == \
            [i for i in b["items"] if i["block"] not in SC_BLOCKS]


def test_the_dose_in_words():
    rx = engine.week_prescription(_v2(), phase=0, iso_year=2026, iso_week=24)
    words = {i.name: item_text(i) for i in rx.days[0].items}
    assert words["Nordic hamstring progression"].startswith("Nordic hamstring progression: 3 x 5 x 5 s; load: stage 0")
    assert words["Bike"].startswith("Bike: 20-30 min; load: easy, RPE 3-4")
    assert words["Core and pelvic control"].startswith("Core and pelvic control: 3 x 30-45 s")


def _fake(pk):
    athlete = SimpleNamespace(pk=pk, full_name="Alex Runner", team=SimpleNamespace(name="Firsts"))
    return SimpleNamespace(injury=SimpleNamespace(athlete=athlete))


def test_csv_and_icalendar_carry_the_dose():
    rx = engine.week_prescription(_v2(), phase=2, iso_year=2026, iso_week=24)
    table = list(csv.reader(io.StringIO(week_csv([(_fake(1), rx)]))))
    rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in table[1:]]
    rdl = next(r for r in rows if r["item"] == "Romanian deadlift")
    assert (rdl["sets"], rdl["reps"], rdl["load"]) == ("3", "6-8", "RPE 7")
    core = next(r for r in rows if r["item"] == "Core and pelvic control")
    assert (core["sets"], core["time_s_min"], core["time_s_max"]) == ("3", "45", "45")
    assert all(r["sets"] for r in rows if r["block"] in SC_BLOCKS)
    ics = week_ics([(_fake(1), rx)], dtstamp=datetime.datetime(2026, 6, 7, tzinfo=datetime.UTC))
    assert "Romanian deadlift: 3 x 6-8\\; load: RPE 7" in ics.replace("\r\n ", "")


@pytest.mark.django_db
def test_the_migration_made_version_2_beside_version_1():
    v1 = Protocol.objects.get(slug="hamstring-rts", version=1, organisation__isnull=True)
    v2 = Protocol.objects.get(slug="hamstring-rts", version=2, organisation__isnull=True)
    assert v2.parent_id == v1.pk and v2.phases.count() == v1.phases.count()
    assert "time_s" not in json.dumps(v1.definition), "version 1 is never rewritten"
    parsed = engine_protocol(v2)
    assert parsed.version == 2
    assert all(i.load for ph in parsed.phases for i in ph.items if i.block in SC_BLOCKS)


TODAY = datetime.date(2026, 6, 10)


@pytest.mark.django_db
def test_coach_and_athlete_see_the_dose_clinicians_also_the_source(world, client_for):
    world.org.time_zone = "UTC"
    world.org.save()
    clock.travel_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC))
    world.athlete.training_days = [1, 3, 5]
    world.athlete.save()
    injury = InjuryFactory(athlete=world.athlete, date_of_injury=TODAY - datetime.timedelta(days=20))
    services.plan_start(actor=world.clinician, injury=injury, start_date=TODAY - datetime.timedelta(days=3),
                        protocol=Protocol.objects.get(slug="hamstring-rts", version=2), start_phase=2)
    year, week, _ = TODAY.isocalendar()
    coach = week_grid(user=world.coach, team_id=None, year=year, week=week, today=TODAY)
    cell = coach["groups"][0]["rows"][0].cells[2]
    assert "Romanian deadlift: 3 x 6-8; load: RPE 7; progression: add load when 3 x 8 is easy" in cell.strength
    assert not any("practice default" in t for t in cell.strength)
    clinic = week_grid(user=world.clinician, team_id=None, year=year, week=week, today=TODAY, clinician=True)
    assert any("practice default" in t for t in clinic["groups"][0]["rows"][0].cells[2].strength)
    page = client_for(world.athlete_user).get("/me/").content.decode()
    assert "Romanian deadlift" in page and "Load: RPE 7" in page and "6-8" in page
    assert "practice default" not in page
    coach_page = client_for(world.coach).get(f"/coach/?year={year}&week={week}").content.decode()
    assert "Load: RPE 7" not in coach_page and "load: RPE 7" in coach_page and "practice default" not in coach_page


@pytest.mark.django_db
def test_a_clinic_edits_a_dose_as_it_edits_a_sprint_item(world):
    """The JSON editor's path: a copy with another dose is a new version, and the change reads in words."""
    from progression.engine_io import to_json_safe
    from progression.protocol_editing import protocol_changes

    v2 = Protocol.objects.get(slug="hamstring-rts", version=2)
    definition = to_json_safe(v2.definition)
    rdl = next(i for i in definition["phases"][2]["items"] if i["name"] == "Romanian deadlift")
    rdl["sets"], rdl["load"] = 4, "RPE 8"
    copy = services.protocol_new_version(actor=world.clinician, protocol=v2, definition=definition, base_version=0,
                                         organisation=world.org)
    item = next(i for i in engine_protocol(copy).phases[2].items if i.name == "Romanian deadlift")
    assert (item.sets, item.load) == ((4, 4), "RPE 8")
    changes = protocol_changes(to_json_safe(v2.definition), to_json_safe(copy.definition))
    assert 'P2 Romanian deadlift: sets 3 -> 4' in changes and any("RPE 7" in c and "RPE 8" in c for c in changes)
