"""Sample device files (hand-written from the published column layouts; no vendor data) with dates relative to
today: `@D-5:dmy@` is five days ago as 31/12/2025, `@D+1:iso@` tomorrow as 2026-01-01."""
import datetime
import pathlib
import re

import pytest

FILES = pathlib.Path(__file__).parent / "files"
ENCODINGS = {"vald_bad_rows_utf16.csv": "utf-16", "vald_forceframe_semicolon_latin1.csv": "latin-1",
             "statsports_kmh_semicolon_bom.csv": "utf-8-sig"}


def sample(name: str, today: datetime.date | None = None) -> bytes:
    encoding = ENCODINGS.get(name, "utf-8")
    today = today or datetime.date.today()
    text = (FILES / name).read_bytes().decode(encoding)

    def day(m):
        d = today + datetime.timedelta(days=int(m.group(1)))
        return d.strftime("%d/%m/%Y") if m.group(2) == "dmy" else d.isoformat()

    return re.sub(r"@D([+-]\d+):(dmy|iso)@", day, text).encode(encoding)


@pytest.fixture
def imports_world(world):
    """The world, with an open plan for Alex (left hamstring, injured 30 days ago) and Vmax on record."""
    from progression.models import Plan, Protocol

    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician)
    world.athlete.external_id = "VALD-001"
    world.athlete.vmax_mps = "8.50"
    world.athlete.save()
    world.plan = plan
    return world
