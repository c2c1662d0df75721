"""Load the default protocol (progression/protocols/hamstring-rts.json) as version 1.

Reads the data file as it is when the migration runs; a later change to the default protocol ships as a new
version through a new migration, never as an edit of version 1.
"""
import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "protocols" / "hamstring-rts.json"
PHASE_KEYS = {"number", "name", "focus", "description", "exit"}


def load(apps, schema_editor):
    Protocol = apps.get_model("progression", "Protocol")
    Phase = apps.get_model("progression", "Phase")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    if Protocol.objects.filter(slug=data["slug"], version=data["version"]).exists():
        return
    protocol = Protocol.objects.create(
        slug=data["slug"], version=data["version"], name=data["name"], description=data.get("description", ""),
        definition=data,
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
    data = json.loads(FILE.read_text(encoding="utf-8"))
    apps.get_model("progression", "Protocol").objects.filter(slug=data["slug"], version=data["version"]).delete()


class Migration(migrations.Migration):
    dependencies = [("progression", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]
