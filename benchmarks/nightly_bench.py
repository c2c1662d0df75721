"""The nightly re-evaluation at scale: N active plans (default 10,000), shared by Celery workers over real Redis.

    [BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab_bench] .venv/bin/python benchmarks/nightly_bench.py
        [--plans 10000] [--workers 2] [--broker redis://127.0.0.1:6379/13] [--json out.json]

Seeds the benchmark clinic (benchmarks/seed.py: each plan with 60 days of sessions, reports, assessments and
ratings, and its latest decision; the database is EMPTIED first, as for http_bench.py), starts `--workers` Celery
worker processes (one task at a time each) on the broker, sends the organisation's nightly run
(`progression.tasks.nightly_fan_out`: the chunks as one Celery group) and waits for the run record to finish,
printing its progress. Then it runs the same night again (the run record removed): the plans' outcomes are now
unchanged, the case of most nights. Prints the times, plans per second and the counts, as markdown and JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.http_bench import DEFAULT_DB, create_database  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plans", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--broker", default="redis://127.0.0.1:6379/13", help="A Redis database of the benchmark's own.")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--json")
    args = p.parse_args(argv)

    env = dict(os.environ)
    env["DATABASE_URL"] = env.get("BENCH_DATABASE_URL") or DEFAULT_DB
    env.setdefault("SECRET_KEY", "bench-nightly-" + "x" * 40)
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    env["REDIS_URL"] = env["CELERY_BROKER_URL"] = args.broker
    env["DJANGO_SETTINGS_MODULE"] = "rehab.settings.production"
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    os.environ.update(env)
    create_database(env["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from athletes.models import Organisation
    from benchmarks import seed
    from progression.models import Plan
    from rehab.celery import app

    t0 = time.perf_counter()
    ids = seed.seed(args.plans, decisions="latest")
    seed_seconds = time.perf_counter() - t0
    org = Organisation.objects.get(pk=ids["organisation"])
    active = Plan.objects.filter(status="active", injury__athlete__organisation=org).count()
    print(f"seeded {args.plans} athletes ({active} active plans) in {seed_seconds:.0f} s", file=sys.stderr)

    app.control.purge()  # nothing left over on the benchmark's broker
    celery = Path(sys.executable).with_name("celery")
    workers = [subprocess.Popen([str(celery), "-A", "rehab", "worker", "--concurrency", "1", "--pool", "prefork",
                                 "--loglevel", "warning", "-n", f"bench-nightly-{i}@%h", "--without-gossip",
                                 "--without-mingle", "--without-heartbeat"],
                                cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
               for i in range(args.workers)]
    try:
        _wait_for_workers(app, args.workers)
        results = {label: _run_night(org, label, args.timeout) for label in ("first run", "second run, the same night")}
    finally:
        _stop(workers)
    _report(args, active, seed_seconds, results)


def _run_night(org, label, timeout):
    """One nightly run of the organisation, from the fan-out to the run record's finish."""
    from progression import tasks
    from progression.models import NightlyRun

    NightlyRun.objects.filter(organisation=org).delete()
    day = org.today()
    started = time.perf_counter()
    tasks.nightly_fan_out({"organisation_id": org.pk, "day": day.isoformat()})
    run = None
    while time.perf_counter() - started < timeout:
        run = NightlyRun.objects.get(organisation=org, day=day)
        sys.stderr.write(f"\r{label}: {run.progress}, {run.recorded} recorded, {run.unchanged} unchanged, "
                         f"{run.failed} failed, {time.perf_counter() - started:.0f} s   ")
        if run.finished_at is not None:
            break
        time.sleep(0.5)
    sys.stderr.write("\n")
    seconds = time.perf_counter() - started
    if run is None or run.finished_at is None:
        sys.exit(f"{label}: the run did not finish within {timeout} s")
    return {"seconds": round(seconds, 1), "plans": run.plans_total,
            "plans_per_second": round(run.plans_total / seconds, 1), "recorded": run.recorded,
            "unchanged": run.unchanged, "failed": run.failed, "chunks": len(run.chunks)}


def _stop(workers):
    for w in workers:
        if w.poll() is None:
            os.killpg(w.pid, signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(w.pid, signal.SIGKILL)


def _report(args, active, seed_seconds, results):
    out = {"plans_seeded": args.plans, "active_plans": active, "workers": args.workers, "seed_seconds":
           round(seed_seconds), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
           "runs": results}
    print(f"| run ({active} active plans, {args.workers} Celery workers) | seconds | plans/s | recorded | unchanged | "
          "failed |")
    print("|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['seconds']} | {r['plans_per_second']} | {r['recorded']} | {r['unchanged']} | "
              f"{r['failed']} |")
    print()
    print("```json")
    print(json.dumps(out, indent=1))
    print("```")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    if any(r["failed"] for r in results.values()):
        sys.exit(1)


def _wait_for_workers(app, n, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= n:
            return
    sys.exit(f"{n} Celery workers did not answer within {timeout} s")


if __name__ == "__main__":
    main()
