"""The week's CSV and iCalendar exports: pure functions of the week rows (no database here)."""
import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest

from progression import engine
from progression.engine_io import definition_from_json
from progression.exports import CSV_COLUMNS, event_uid, item_text, week_csv, week_ics

ROOT = Path(__file__).resolve().parents[2]
STAMP = datetime.datetime(2025, 3, 9, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def protocol():
    data = json.loads((ROOT / "progression/protocols/hamstring-rts.json").read_text())
    return engine.protocol_from_dict(definition_from_json(data))


def fake_plan(pk, name, team="Firsts"):
    athlete = SimpleNamespace(pk=pk, full_name=name, team=SimpleNamespace(name=team) if team else None)
    return SimpleNamespace(injury=SimpleNamespace(athlete=athlete))


@pytest.fixture
def rows(protocol):
    return [
        (fake_plan(7, "Alex Runner"),
         engine.week_prescription(protocol, phase=4, iso_year=2025, iso_week=11, vmax_mps=Decimal("9.5"))),
        (fake_plan(8, "Zoë Ødegård-Łukasiewicz, \"Flash\"; O\\Brien", team=None),
         engine.week_prescription(protocol, phase=1, iso_year=2025, iso_week=11, training_days=[1, 2, 3, 4])),
    ]


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


# --- CSV -----------------------------------------------------------------------------------------------

def test_csv_has_one_row_per_item_per_day_with_crlf(rows):
    text = week_csv(rows)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == CSV_COLUMNS
    assert len(table) - 1 == sum(len(day.items) for _, rx in rows for day in rx.days)
    first = dict(zip(CSV_COLUMNS, table[1], strict=True))
    assert first["team"] == "Firsts" and first["athlete"] == "Alex Runner" and first["phase"] == "P4"
    assert first["date"] == "2025-03-10" and first["weekday"] == "Monday"
    assert first["item"] == "Flying sprints" and first["intensity_pct_min"] == "90"
    assert first["target_speed_mps_min"] == "8.55" and first["target_speed_mps_max"] == "9.5"
    assert first["splits"] == "10 m in 1.05-1.17 s; 20 m in 2.11-2.34 s"
    names = {r[1] for r in table[1:]}
    assert names == {"Alex Runner", rows[1][0].injury.athlete.full_name}, "commas, quotes and accents survive"


def test_csv_lists_an_athlete_without_a_session_and_defuses_formulas(protocol):
    rx = engine.week_prescription(protocol, phase=0, iso_year=2025, iso_week=11)
    empty = SimpleNamespace(**{f: getattr(rx, f) for f in rx.__slots__})
    empty.days = ()
    text = week_csv([(fake_plan(9, "=HYPERLINK(\"http://x\")", team="@team"), empty)])
    table = list(csv.reader(io.StringIO(text)))
    assert len(table) == 2
    assert table[1][:3] == ["'@team", "'=HYPERLINK(\"http://x\")", "P0"]
    assert table[1][4:] == [""] * (len(CSV_COLUMNS) - 4)


def test_item_text_reads_like_the_week_page(rows):
    flying = rows[0][1].days[0].items[0]
    assert item_text(flying) == (
        "Flying sprints: 3-5 (20-30 m build + 10-20 m fly) at 90-100%, rest 180-240 s; target 8.55-9.5 m/s "
        "(10 m in 1.05-1.17 s, 20 m in 2.11-2.34 s) - at 90-95%, then 95-100%; the split is for the fly zone"
    )


# --- iCalendar -----------------------------------------------------------------------------------------

def test_ics_is_crlf_and_folded_at_75_octets(rows):
    text = week_ics(rows, domain="rehab.example.org", dtstamp=STAMP)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "no bare LF"
    assert "\r" not in text.replace("\r\n", ""), "no bare CR"
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) <= 75
    assert any(line.startswith(" ") for line in physical), "long lines were folded"
    for line in physical:
        line.encode("utf-8").decode("utf-8")  # no line ends inside a multi-octet character


def test_ics_events_one_per_athlete_and_training_day(rows):
    lines = unfold(week_ics(rows, domain="rehab.example.org", dtstamp=STAMP))
    assert lines[:5] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sprint Rehab//Week prescription//EN",
                         "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    assert lines[-2:] == ["END:VCALENDAR", ""]
    days = [(plan.injury.athlete, day.date) for plan, rx in rows for day in rx.days]
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(days) == 2 + 4
    uids = [line[4:] for line in lines if line.startswith("UID:")]
    assert uids == [event_uid(a, d, "rehab.example.org") for a, d in days]
    assert len(set(uids)) == len(uids)
    assert uids[0] == "20250310-athlete-7@rehab.example.org"
    starts = [line for line in lines if line.startswith("DTSTART")]
    assert starts[0] == "DTSTART;VALUE=DATE:20250310"
    assert all(re.fullmatch(r"DTSTART;VALUE=DATE:\d{8}", s) for s in starts)
    assert "DTEND;VALUE=DATE:20250311" in lines
    assert [line for line in lines if line.startswith("DTSTAMP")][0] == "DTSTAMP:20250309T180000Z"
    # The same week exported again keeps the UIDs: a calendar updates its events instead of adding new ones.
    again = unfold(week_ics(rows, domain="rehab.example.org", dtstamp=STAMP + datetime.timedelta(days=1)))
    assert [line for line in again if line.startswith("UID:")] == [f"UID:{u}" for u in uids]


def test_ics_text_is_escaped(rows):
    lines = unfold(week_ics(rows, domain="rehab.example.org", dtstamp=STAMP))
    summary = [line for line in lines if line.startswith("SUMMARY:")][-1]
    assert summary == "SUMMARY:Zoë Ødegård-Łukasiewicz\\, \"Flash\"\\; O\\\\Brien: sprint rehab P1"
    description = [line for line in lines if line.startswith("DESCRIPTION:")][0]
    assert "\\n- Flying sprints: 3-5 (20-30 m build + 10-20 m fly) at 90-100%\\, rest" in description
    parsed = icalendar.Calendar.from_ical(week_ics(rows, domain="rehab.example.org", dtstamp=STAMP))
    summaries = [str(e["summary"]) for e in parsed.walk("VEVENT")]
    assert summaries[-1] == 'Zoë Ødegård-Łukasiewicz, "Flash"; O\\Brien: sprint rehab P1'  # read back as written


def test_lines_are_folded_at_75_octets_without_splitting_a_character(rows):
    text = week_ics(rows, domain="rehab.example.org", dtstamp=STAMP)
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines), "the descriptions are long enough to fold"
    text.encode("utf-8").decode("utf-8")  # folding never cut a multi-octet character


def test_ics_needs_an_aware_stamp(rows):
    with pytest.raises(ValueError):
        week_ics(rows, dtstamp=datetime.datetime(2025, 3, 9, 18, 0))
