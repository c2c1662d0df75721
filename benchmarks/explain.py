"""EXPLAIN ANALYZE of the hot queries on a seeded benchmark database: the roster's first page, the coach's week
of the first team, a plan's current stint (the evaluation's session query). Prints the plans and the table sizes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab_bench_nightly .venv/bin/python benchmarks/explain.py
"""
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main():
    from benchmarks.http_bench import DEFAULT_DB

    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "rehab.settings.local"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from athletes.models import Team
    from progression.engine_io import stint_logs
    from progression.models import Plan
    from progression.selectors import roster, week_rows

    def explain(title, sql, params):
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
        print(f"### {title}\n\n```\n{plan}\n```\n")

    with connection.cursor() as cur:
        cur.execute("SET jit = off")  # as production's settings do (DATABASE_JIT)
        cur.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN ('training_sessionlog', "
                    "'training_symptomreport', 'progression_decision', 'progression_plan', 'athletes_athlete', "
                    "'training_assessment') ORDER BY relname")
        print("| table | rows |\n|---|---|")
        for name, rows in cur.fetchall():
            print(f"| {name} | {rows} |")
        print()
    clinician = get_user_model().objects.get(username="bench-clinician")
    page = roster(user=clinician)[:50]
    explain("The roster, first page of 50 (triage order)", *page.query.sql_with_params())
    coach = get_user_model().objects.get(username="bench-coach-0")
    team = Team.objects.filter(coaches=coach).first()
    year, week, _ = datetime.date.today().isocalendar()
    with CaptureQueriesContext(connection) as ctx:
        week_rows(user=coach, team_id=team.pk, year=year, week=week)
    for i, q in enumerate(ctx.captured_queries, 1):
        if q["sql"].startswith("SELECT"):
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + q["sql"])
                plan = "\n".join(r[0] for r in cur.fetchall())
            print(f"### The coach's week, query {i}\n\n```\n{plan}\n```\n")
    plan = Plan.objects.filter(status="active").order_by("pk").first()
    explain("A plan's current stint (engine_io.stint_logs)", *stint_logs(plan).query.sql_with_params())


if __name__ == "__main__":
    main()
