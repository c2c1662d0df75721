"""The test database for another process (a server or a scheduler that a test starts as a subprocess).

PostgreSQL: the test database itself (the test must be transactional so its rows are committed).
SQLite: pytest-django's SQLite test database lives in memory (file:memorydb_default?mode=memory&cache=shared),
which no other process can open; `file_database` copies it, with the test's committed rows, into a file with the
SQLite backup API, and `copy_back` brings the other process's writes back so the test can read them by the ORM.
"""
import sqlite3
from pathlib import Path
from urllib.parse import quote

from django.db import connection


def postgres_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def file_database(tmp_path: Path) -> str:
    """A DATABASE_URL another process can use, holding what the test has committed so far."""
    if connection.vendor == "postgresql":
        return postgres_url()
    assert connection.vendor == "sqlite", connection.vendor
    path = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


def copy_back(url: str) -> None:
    """SQLite: replace the in-memory test database with the file the other process wrote (nothing on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
