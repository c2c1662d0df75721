"""The HTTP benchmark: the app under gunicorn (production settings, 2 sync workers) on PostgreSQL, at 20 concurrent
clients, each endpoint interleaved with a floor (a login-required view that touches request.user and returns four
bytes) in alternating slices of a second, so that every figure is also a ratio to the floor measured in the same
minute (the machine is shared: absolute figures are noisy, the ratios much less).

    [BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab_bench] .venv/bin/python benchmarks/http_bench.py
        [--n 500] [--seconds 10] [--clients 20] [--workers 2] [--json out.json] [--counts-at 50]
    ... benchmarks/http_bench.py --quick        N=50, 2 s per endpoint (what .ci/run runs)

It uses a database of its own (BENCH_DATABASE_URL, default rehab_bench: DROPPED and created again, migrated and
seeded on every run; a name without "bench" is refused), seeds the clinic (benchmarks/seed.py), starts gunicorn on 127.0.0.1 with DJANGO_SETTINGS_MODULE=benchmarks.settings (production plus the floor
and an X-Queries header counting each request's database round trips), drives it with a small asyncio client
(standard library), and prints a markdown table and a JSON document: p50 / p95 / p99 in ms, requests per second,
p95 / floor p95, and round trips per request (at --counts-at N as well, by seeding that clinic first).
It exits non-zero when the benchmark itself breaks (an endpoint answers with an unexpected status), never on the
figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: The benchmark's own database: created when missing, emptied on every run (never point it at real data).
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rehab_bench"
LOG = Path(os.environ.get("BENCH_LOG", "/tmp/http_bench_gunicorn.log"))  # the server's errors
CSRF = "benchcsrf" + "x" * 23  # 32 characters: an unmasked CSRF secret, sent as cookie and header
ENDPOINTS = ["api_plans", "coach_week", "athlete_page", "roster", "log_post", "log_post_api", "report_post",
             "athlete_today"]
LABELS = {
    "api_plans": "API plan list `GET /api/v1/plans/`",
    "coach_week": "coach's week, 25-athlete team `GET /coach/`",
    "athlete_page": "clinician's athlete page `GET /clinic/athletes/<id>/`",
    "roster": "clinician roster `GET /clinic/`",
    "log_post": "athlete session-log POST (page) `POST /me/log/`",
    "log_post_api": "athlete session-log POST (API) `POST /api/v1/session-logs/`",
    "report_post": "next-morning report POST `POST /me/sessions/<id>/morning/`",
    "athlete_today": "athlete today page `GET /me/`",
}


def environment(port: int) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = env.get("BENCH_DATABASE_URL") or DEFAULT_DB
    if not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database.")
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


# --- seeding (in this process) ---------------------------------------------------------------------------------

def django_setup(env):
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                           "DATABASE_URL")})
    create_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest storage of production


def create_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    if "bench" not in name or not name.replace("_", "").isalnum():
        sys.exit(f"The benchmark drops and recreates its database: {name!r} must be a plain name with 'bench' in it.")
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            # Created fresh each run: a database left by an earlier run (or migrated by another branch's
            # migrations, which the machine keeps between sessions) never breaks the migrate below.
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def seed_clinic(n: int, templates: int) -> dict:
    from benchmarks import seed

    t0 = time.perf_counter()
    ids = seed.seed(n, templates=templates)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    ids["seed_seconds"] = round(time.perf_counter() - t0, 1)
    return ids


def prepare_logins(ids: dict) -> dict:
    """Session cookies for the clinician, the first team's coach and the athletes; the athletes' ids and the
    athlete page targets."""
    from benchmarks import seed

    athletes = ids["athletes"]
    return {
        "clinician": seed.login_cookie(ids["clinician"]),
        "coach": seed.login_cookie(ids["coach"]),
        "athletes": [seed.login_cookie(u) for u in athletes],
        "athlete_ids": ids["athlete_ids"],
    }


def pending_reports(ids: dict, count: int) -> list[tuple[int, int]]:
    """Sessions of two days ago (their report is open at any hour of today) with no report yet, spread over the athletes: (athlete index, session id)."""
    import datetime
    import uuid

    from athletes.models import Athlete
    from core import clock
    from progression.models import Plan
    from sessions.models import SessionLog

    athletes = list(Athlete.objects.filter(pk__in=ids["athlete_ids"]).select_related("organisation"))
    by_pk = {a.pk: a for a in athletes}
    plans = {p.injury.athlete_id: p for p in Plan.objects.filter(injury__athlete_id__in=ids["athlete_ids"],
                                                                  status="active").select_related("injury")}
    order = [pk for pk in ids["athlete_ids"] if pk in plans]
    logs = []
    for i in range(count):
        pk = order[i % len(order)]
        athlete, plan = by_pk[pk], plans[pk]
        tz = athlete.organisation.tz
        day = clock.now().astimezone(tz).date() - datetime.timedelta(days=2)
        logs.append(SessionLog(athlete=athlete, plan=plan, date=day, phase=plan.current_phase, pain_during=0,
                               rpe=5, minutes=40, reps_done=10, client_id=uuid.uuid4(), logged_by_id=athlete.user_id,
                               logged_at=datetime.datetime.combine(day, datetime.time(18), tzinfo=tz)))
    created = SessionLog.objects.bulk_create(logs, batch_size=1000)
    index = {pk: i for i, pk in enumerate(ids["athlete_ids"])}
    return [(index[log.athlete_id], log.pk) for log in created]


# --- the server --------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env, port: int, workers: int):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "rehab.wsgi:application", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--worker-class", "sync",
                             "--error-logfile", "-", "--log-level", "warning", "--timeout", "120"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(LOG, "wb"),  # noqa: SIM115 (open while gunicorn runs)
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited:\n" + LOG.read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("gunicorn did not start within 60 s")


def stop_gunicorn(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --- the client ----------------------------------------------------------------------------------------------------

class Request:
    __slots__ = ("method", "path", "cookie", "body", "content_type", "expect")

    def __init__(self, method, path, cookie, body=b"", content_type="", expect=(200,)):
        self.method, self.path, self.cookie, self.body = method, path, cookie, body
        self.content_type, self.expect = content_type, expect


async def fetch(port: int, req: Request) -> tuple[int, int, float, int]:
    """One request on a new connection (gunicorn's sync workers close each): status, queries, seconds, bytes."""
    headers = [f"{req.method} {req.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "X-Forwarded-Proto: https",
               f"Referer: https://127.0.0.1:{port}/", f"Cookie: sessionid={req.cookie}; csrftoken={CSRF}",
               f"X-CSRFToken: {CSRF}", "Accept: text/html,application/json", "Connection: close"]
    if req.body:
        headers += [f"Content-Type: {req.content_type}", f"Content-Length: {len(req.body)}"]
    raw = ("\r\n".join(headers) + "\r\n\r\n").encode() + req.body
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()  # until the server closes
    finally:
        writer.close()
    elapsed = time.perf_counter() - t0
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    queries = -1
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-queries":
            queries = int(value.strip())
    return status, queries, elapsed, len(body)


class Endpoint:
    """Makes the next request of one endpoint (rotating over athletes, fresh client ids, pending reports)."""

    def __init__(self, name: str, logins: dict, reports: list, team_id: int):
        self.name, self.logins, self.reports, self.team_id = name, logins, reports, team_id
        self.i = 0

    def next(self) -> Request:
        i, self.i = self.i, self.i + 1
        return getattr(self, f"_{self.name}")(i, self.logins, self.logins["athletes"])

    def _floor(self, i, lg, athletes):
        return Request("GET", "/_bench/floor/", lg["clinician"])

    def _api_plans(self, i, lg, athletes):
        return Request("GET", "/api/v1/plans/", lg["clinician"])

    def _coach_week(self, i, lg, athletes):
        return Request("GET", f"/coach/?team={self.team_id}", lg["coach"])

    def _athlete_page(self, i, lg, athletes):
        pk = lg["athlete_ids"][(i * 7) % len(lg["athlete_ids"])]
        return Request("GET", f"/clinic/athletes/{pk}/", lg["clinician"])

    def _roster(self, i, lg, athletes):
        return Request("GET", "/clinic/", lg["clinician"])

    def _athlete_today(self, i, lg, athletes):
        return Request("GET", "/me/", athletes[(i * 11) % len(athletes)])

    def _log_post(self, i, lg, athletes):
        body = (f"csrfmiddlewaretoken={CSRF}&client_id={uuid.uuid4()}&pain_during=0&rpe=5&minutes=40"
                "&reps_done=10").encode()
        return Request("POST", "/me/log/", athletes[(i * 13) % len(athletes)], body,
                       "application/x-www-form-urlencoded", expect=(302,))

    def _log_post_api(self, i, lg, athletes):
        body = json.dumps({"client_id": str(uuid.uuid4()), "pain_during": 0, "rpe": 5, "minutes": 40,
                           "reps_done": 10}).encode()
        return Request("POST", "/api/v1/session-logs/", athletes[(i * 17) % len(athletes)], body,
                       "application/json", expect=(201,))

    def _report_post(self, i, lg, athletes):
        if i >= len(self.reports):
            raise IndexError("out of pending reports")
        athlete_index, log_pk = self.reports[i]
        body = f"csrfmiddlewaretoken={CSRF}&client_id={uuid.uuid4()}&soreness_24h=1&sleep_quality=4&fatigue=2"
        return Request("POST", f"/me/sessions/{log_pk}/morning/", athletes[athlete_index], body.encode(),
                       "application/x-www-form-urlencoded", expect=(302,))


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def burst(port: int, source: Endpoint, seconds: float, clients: int, samples, queries, errors) -> float:
    """`clients` loops sending `source`'s requests for `seconds` (then the last ones finish): the wall time."""
    deadline = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < deadline:
            try:
                req = source.next()
            except IndexError:
                return
            status, q, elapsed, _ = await fetch(port, req)
            if status not in req.expect:
                errors.append(f"{req.method} {req.path}: {status}")
                continue
            samples.append(elapsed)
            queries.append(q)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - t0


async def drive(port: int, endpoint: Endpoint, floor: Endpoint, seconds: float, clients: int, slice_s: float) -> dict:
    """The endpoint and the floor in alternating slices of `slice_s` seconds (each at `clients` concurrent
    clients, drained before the next), for `seconds` of each: the two are measured in the same minute, and
    neither queues behind the other."""
    ep, fl, ep_q, fl_q, errors = [], [], [], [], []
    ep_wall = fl_wall = 0.0
    while ep_wall < seconds:
        fl_wall += await burst(port, floor, slice_s, clients, fl, fl_q, [])
        ep_wall += await burst(port, endpoint, slice_s, clients, ep, ep_q, errors)
    return {
        "requests": len(ep), "errors": len(errors), "error_examples": errors[:3],
        "p50_ms": round(pct(ep, .5) * 1000, 1), "p95_ms": round(pct(ep, .95) * 1000, 1),
        "p99_ms": round(pct(ep, .99) * 1000, 1), "rps": round(len(ep) / ep_wall, 1),
        "floor_p50_ms": round(pct(fl, .5) * 1000, 1), "floor_p95_ms": round(pct(fl, .95) * 1000, 1),
        "floor_rps": round(len(fl) / fl_wall, 1),
        "p95_over_floor": round(pct(ep, .95) / pct(fl, .95), 2) if ep and fl else None,
        "round_trips": int(statistics.median(ep_q)) if ep_q else None,
    }


async def floor_alone(port: int, floor: Endpoint, seconds: float, clients: int) -> dict:
    samples = []
    deadline = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < deadline:
            status, _, elapsed, _ = await fetch(port, floor.next())
            if status == 200:
                samples.append(elapsed)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - t0
    return {"requests": len(samples), "rps": round(len(samples) / wall, 1),
            "p50_ms": round(pct(samples, .5) * 1000, 1), "p95_ms": round(pct(samples, .95) * 1000, 1)}


async def count_round_trips(port: int, endpoints: dict) -> dict:
    """A few sequential requests of each endpoint: the median X-Queries."""
    out = {}
    for name, ep in endpoints.items():
        counts = []
        for _ in range(3):
            req = ep.next()
            status, q, _, size = await fetch(port, req)
            if status not in req.expect:
                raise SystemExit(f"{name}: {req.method} {req.path} answered {status} (expected {req.expect})")
            counts.append(q)
        out[name] = {"round_trips": int(statistics.median(counts)), "bytes": size}
    return out


def run_clinic(env, n: int, args, *, timed: bool) -> dict:
    ids = seed_clinic(n, args.templates)
    print(f"seeded {n} athletes in {ids['seed_seconds']} s", file=sys.stderr)
    logins = prepare_logins(ids)
    # Enough pending reports for the timed run (each is reported once), plus the round-trip count.
    reports = pending_reports(ids, args.reports if timed else 10)
    port = free_port()
    proc = start_gunicorn(env, port, args.workers)
    try:
        make = {name: Endpoint(name, logins, reports, ids["team"]) for name in ENDPOINTS}
        floor = Endpoint("floor", logins, reports, ids["team"])
        asyncio.run(count_round_trips(port, {"floor": floor}))  # warm both workers
        counts = asyncio.run(count_round_trips(port, {**make, "floor": floor}))
        result = {"n": n, "seed_seconds": ids["seed_seconds"], "counts": counts}
        if timed:
            result["floor_alone"] = asyncio.run(floor_alone(port, floor, args.seconds, args.clients))
            print(f"floor alone: {result['floor_alone']}", file=sys.stderr)
            result["endpoints"] = {}
            for name in ENDPOINTS:
                r = asyncio.run(drive(port, make[name], floor, args.seconds, args.clients, args.slice))
                result["endpoints"][name] = r
                print(f"{name}: {r}", file=sys.stderr)
        return result
    finally:
        stop_gunicorn(proc)


def markdown(result: dict, small: dict | None) -> str:
    n = result["n"]
    lines = [f"N = {n} athletes, {result['clients']} clients, {result['seconds']} s per endpoint, "
             f"{result['workers']} gunicorn sync workers; floor alone: {result['floor_alone']['rps']} req/s, "
             f"p95 {result['floor_alone']['p95_ms']} ms", "",
             f"| endpoint | p50 ms | p95 ms | p99 ms | req/s | floor p95 ms | p95 / floor p95 | round trips N={n} |"
             + (f" round trips N={small['n']} |" if small else ""),
             "|---|---|---|---|---|---|---|---|" + ("---|" if small else "")]
    for name in ENDPOINTS:
        r = result["endpoints"][name]
        row = (f"| {LABELS[name]} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['rps']} | {r['floor_p95_ms']} | "
               f"{r['p95_over_floor']}x | {result['counts'][name]['round_trips']} |")
        if small:
            row += f" {small['counts'][name]['round_trips']} |"
        lines.append(row)
    lines.append(f"| floor (login-required, 4 bytes) | | | | | | 1x | {result['counts']['floor']['round_trips']} |"
                 + (f" {small['counts']['floor']['round_trips']} |" if small else ""))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--slice", type=float, default=1.0, help="Seconds of each alternating endpoint / floor slice.")
    p.add_argument("--counts-at", type=int, default=50, help="Also count round trips at this N (0: skip).")
    p.add_argument("--reports", type=int, default=3000, help="Pending next-morning reports to create.")
    p.add_argument("--templates", type=int, default=4, help="Athletes replayed through the services (the rest are "
                                                            "copies of them).")
    p.add_argument("--quick", action="store_true", help="N=50, 2 s per endpoint, 2 templates, no second clinic.")
    p.add_argument("--json", help="Write the JSON result to this file too.")
    args = p.parse_args(argv)
    if args.quick:
        args.n, args.seconds, args.counts_at, args.reports, args.templates, args.slice = 50, 2.0, 0, 800, 2, 0.5
    env = environment(0)
    django_setup(env)
    started = time.perf_counter()
    small = None
    if args.counts_at and args.counts_at != args.n:
        small = run_clinic(env, args.counts_at, args, timed=False)
    result = run_clinic(env, args.n, args, timed=True)
    result.update(clients=args.clients, seconds=args.seconds, workers=args.workers,
                  when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), nproc=os.cpu_count(),
                  total_seconds=round(time.perf_counter() - started, 1))
    if small:
        result["counts_small"] = {"n": small["n"], "counts": small["counts"]}
    print(markdown(result, small))
    print()
    print("```json")
    print(json.dumps(result, indent=1))
    print("```")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    broken = [name for name, r in result["endpoints"].items()
              if r["requests"] == 0 or r["errors"] > 0.05 * (r["requests"] + r["errors"])]
    if broken:
        for name in broken:
            print(f"BROKEN: {name}: {result['endpoints'][name]['error_examples']}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
