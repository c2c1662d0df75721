"""CI must really run on PostgreSQL when DATABASE_URL says so: no quiet fallback to SQLite."""
import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert "PostgreSQL" in cursor.fetchone()[0]
    else:
        assert connection.vendor == "sqlite"


def test_ci_runs_on_postgresql():
    if os.environ.get("CI") == "true" and os.environ.get("REQUIRE_SERVICES") == "1":
        assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "CI must set DATABASE_URL to PostgreSQL"
        assert os.environ.get("REDIS_URL", "").startswith("redis://"), "CI must set REDIS_URL"
