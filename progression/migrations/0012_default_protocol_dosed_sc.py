"""The default protocol's version 2: version 1 with dosed strength and conditioning (sets x reps or a time, load
guidance, progression per phase: progression/protocols/hamstring-rts-sc-doses.json).

Version 1 is never rewritten (plans on it keep it): version 2 is made from version 1 as this database stores it,
or from the data file where there is no version 1. New plans start on the newest version.
"""
import json
from pathlib import Path

from django.db import migrations

from progression.protocol_doses import with_sc_doses

HERE = Path(__file__).resolve().parent.parent / "protocols"
PHASE_KEYS = {"number", "name", "focus", "description", "exit"}
SLUG, VERSION = "hamstring-rts", 2


def load(apps, schema_editor):
    Protocol = apps.get_model("progression", "Protocol")
    Phase = apps.get_model("progression", "Phase")
    if Protocol.objects.filter(slug=SLUG, version=VERSION).exists():
        return
    v1 = Protocol.objects.filter(slug=SLUG, version=1, organisation__isnull=True).first()
    base = v1.definition if v1 is not None else json.loads((HERE / "hamstring-rts.json").read_text(encoding="utf-8"))
    doses = json.loads((HERE / "hamstring-rts-sc-doses.json").read_text(encoding="utf-8"))
    data = with_sc_doses(base, doses, version=VERSION)
    protocol = Protocol.objects.create(
        slug=SLUG, version=VERSION, name=data["name"], description=data.get("description", ""), definition=data,
        parent=v1,
    )
    for raw in data["phases"]:
        spw = raw.get("sessions_per_week") or {}
        Phase.objects.create(
            protocol=protocol, number=raw["number"], name=raw["name"], focus=raw.get("focus", ""),
            description=raw.get("description", ""), sessions_per_week_min=spw.get("min", 2),
            sessions_per_week_max=spw.get("max", 3), exit_criteria=raw.get("exit", {}),
            prescription={k: v for k, v in raw.items() if k not in PHASE_KEYS},
        )


def unload(apps, schema_editor):
    Protocol = apps.get_model("progression", "Protocol")
    Protocol.objects.filter(slug=SLUG, version=VERSION, organisation__isnull=True, plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("progression", "0011_nightly_runs")]
    operations = [migrations.RunPython(load, unload)]
