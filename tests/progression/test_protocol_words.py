"""The protocol page in plain words (issue 12, point 7): items, exits, time floors and rules as a clinician reads
them, each number with its source, for protocols of any number of phases."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from progression import engine
from progression.models import Protocol
from progression.protocol_words import protocol_in_words

ROOT = Path(__file__).resolve().parents[2]


def _load(name):
    return engine.protocol_from_dict(json.loads((ROOT / "tests/engine/protocols" / name).read_text(),
                                                parse_float=Decimal))


def test_the_default_in_words():
    words = protocol_in_words(engine.load_default_protocol())
    p1 = words["phases"][1]
    assert p1["exit"] == ("Exit: 2 clean sessions in a row, pain <= 2/10, next-morning soreness <= 2/10, "
                          "LSI >= 80 %, technique >= 75 %")
    assert any(i["text"].startswith("Tempo runs: 6-8 x 60-80 m at 50-60%") for i in p1["items"])
    assert all(c["source"] for ph in words["phases"] for c in ph["criteria"])
    assert "Grade 2: at least 14 days from injury to clearance; BAMIC grade 2a/2b" in words["time_floors"]
    assert words["time_floor_source"] and all(r["source"] for r in words["rules"])
    assert "apprehension (H-test) <= 0" in words["phases"][5]["exit"]


@pytest.mark.parametrize("name, n", [("five_phases.json", 5), ("nine_phases.json", 9)])
def test_any_number_of_phases(name, n):
    words = protocol_in_words(_load(name))
    assert len(words["phases"]) == n
    assert all(ph["exit"].startswith("Exit: ") for ph in words["phases"])
    assert not any("{'" in ph["exit"] for ph in words["phases"])


@pytest.mark.django_db
def test_the_page_reads_in_words(world, client_for):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    html = client_for(world.clinician).get(f"/clinic/protocols/{protocol.pk}/").content.decode()
    assert "Exit: 2 clean sessions in a row, pain &lt;= 2/10, next-morning soreness &lt;= 2/10, LSI &gt;= 80 %" in html
    assert "Tempo runs: 6-8 x 60-80 m at 50-60%" in html
    assert "Grade 2: at least 14 days" in html
    assert "min_sessions" not in html and "{&#x27;min&#x27;" not in html
    assert "Source: " in html
