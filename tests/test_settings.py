"""Production settings pass Django's deployment checks; the embedded default needs no environment."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args, env):
    # DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests) is itself a deploy warning: leave it out.
    drop = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={
        "DJANGO_SETTINGS_MODULE": "rehab.settings.production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "rehab.example.org",
        "DATABASE_URL": "postgres://rehab:pw@db.invalid:5432/rehab",
        "REDIS_URL": "redis://redis.invalid:6379/0",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "rehab.settings.production", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_embedded_default_runs_without_environment():
    result = run_manage("check", env={})
    assert result.returncode == 0, result.stderr


def test_sqlite_waits_for_other_writers(tmp_path):
    """The embedded SQLite database: WAL, a busy timeout and BEGIN IMMEDIATE (see tests/training/test_double_tap.py)."""
    code = ("from django.db import connection; connection.ensure_connection(); c = connection.connection; "
            "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
            "connection.transaction_mode)")
    result = run_manage("shell", "-c", code, env={"DJANGO_SETTINGS_MODULE": "rehab.settings.local",
                                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["wal", "20000", "IMMEDIATE"]


def _production_databases(env):
    code = ("import json; from django.conf import settings; d = settings.DATABASES['default']; "
            "print(json.dumps({'age': d['CONN_MAX_AGE'], 'health': d['CONN_HEALTH_CHECKS'], "
            "'options': d.get('OPTIONS', {}).get('options', '')}))")
    result = run_manage("shell", "-c", code, env={
        "DJANGO_SETTINGS_MODULE": "rehab.settings.production",
        "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "rehab.example.org",
        "DATABASE_URL": "postgres://rehab:pw@db.invalid:5432/rehab", **env,
    })
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_database_connections_open():
    """Django reads CONN_MAX_AGE from DATABASES only: production persists connections (60 s) with health checks."""
    assert _production_databases({}) == {"age": 60, "health": True, "options": "-c jit=off"}


def test_production_connection_age_comes_from_the_environment():
    assert _production_databases({"CONN_MAX_AGE": "0"})["age"] == 0
    assert _production_databases({"CONN_MAX_AGE": "300"})["age"] == 300


def test_production_turns_postgresql_jit_off_unless_asked():
    """JIT compilation cost the roster 480 of 560 ms at 500 athletes (docs/performance.md)."""
    assert _production_databases({"DATABASE_JIT": "on"})["options"] == ""
