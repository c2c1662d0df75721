"""`manage.py simulate_protocol`: output, --check, and error handling (exit 2, no traceback, no results)."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from progression.models import Protocol

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "engine" / "scenarios" / "sample.json"
EDGES = HERE / "scenarios" / "edges.json"

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("simulate_protocol", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", [SAMPLE, EDGES], ids=["sample", "edges"])
def test_check_passes(path):
    code, out, err = run(str(path), "--check")
    assert code == 0, err
    data = json.loads(out)
    # the newest version of the default protocol (version 2 since the dosed strength and conditioning)
    newest = Protocol.objects.filter(slug="hamstring-rts").order_by("-version").first().version
    assert data["protocol"] == "hamstring-rts" and data["version"] == newest == 2
    first = data["results"][0]
    assert set(first) >= {"id", "outcome", "from_phase", "to_phase", "refer", "reasons", "recommendations"}
    assert all({"code", "status", "values", "source"} <= set(r) for r in first["reasons"])


def test_mismatch_exits_1_and_names_it(tmp_path):
    doc = json.loads(SAMPLE.read_text())
    doc["scenarios"][2]["expected"]["to_phase"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    code, out, err = run(str(path), "--check")
    assert code == 1
    assert "A03: to_phase expected 1, got 0" in err
    assert json.loads(out)["results"]


def test_without_check_mismatches_do_not_fail(tmp_path):
    doc = json.loads(SAMPLE.read_text())
    doc["scenarios"][2]["expected"]["to_phase"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    assert run(str(path))[0] == 0


@pytest.mark.parametrize("mutate,needle", [
    (lambda d: d["scenarios"][0]["history"][0].update(pain_during=11), "pain_during"),
    (lambda d: d["scenarios"][0]["history"][0].update(red_flg=True), "red_flg"),
    (lambda d: d["scenarios"][1].update(id="A01"), "A01"),
    (lambda d: d["scenarios"][0]["history"][0].update(date="2026-03-09"), "date"),
    (lambda d: d["scenarios"][0].pop("today"), "today"),
    (lambda d: d["scenarios"][0]["history"][0].update(pain_during=True), "pain_during"),
])
def test_malformed_exits_2_with_the_scenario_and_field(tmp_path, mutate, needle):
    doc = json.loads(SAMPLE.read_text())
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    code, out, err = run(str(path), "--check")
    assert code == 2
    assert out == ""
    assert needle in err and "Traceback" not in err


def test_bad_json_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"scenarios": [')
    code, out, err = run(str(path))
    assert code == 2 and out == "" and "Traceback" not in err


def test_missing_file_exits_2(tmp_path):
    code, out, err = run(str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read" in err


def test_unknown_protocol_exits_2():
    code, out, err = run(str(SAMPLE), "--protocol", "no-such-protocol")
    assert code == 2 and "unknown protocol" in err and out == ""


@pytest.mark.django_db(False)
def test_check_passes_on_a_fresh_clone_before_migrate(tmp_path):
    """No database yet (no tables): the default protocol comes from the shipped file, and the sample agrees."""
    import os
    import subprocess
    import sys

    root = HERE.parents[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rehab.settings.local",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "simulate_protocol", str(SAMPLE), "--check"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "using the shipped default protocol" in result.stderr
    assert json.loads(result.stdout)["protocol"] == "hamstring-rts"
    # Another protocol cannot come from anywhere but the database: a plain message, exit 2.
    other = subprocess.run([sys.executable, "manage.py", "simulate_protocol", str(SAMPLE), "--protocol", "mine"],
                           cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert other.returncode == 2 and "run manage.py migrate first" in other.stderr and "Traceback" not in other.stderr
