"""Import rates: a 100,000-row raw speed trace and a 5,000-row VALD strength file, preview and confirm.

    python benchmarks/import_bench.py            # SQLite in a temporary file
    DATABASE_URL=postgres://... python benchmarks/import_bench.py

Builds a throwaway database (migrated), one organisation, a clinician, 50 athletes with an injury, an open plan and
a logged session each, then times `import_preview` and `import_confirm` (the same services the page and the API
call, one transaction, every plan evaluated once) and prints rows per second. Target: under 10 s for each file.
"""
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings.test")


def _strength_file(athletes, day0, rows=5000) -> bytes:
    rng = random.Random(1)
    lines = ["Name,ExternalId,Date UTC,Time UTC,Device,Test,L Reps,R Reps,L Max Force (N),R Max Force (N),"
             "Max Imbalance (%),L Max Torque (Nm),R Max Torque (Nm)"]
    for i in range(rows):
        a = athletes[i % len(athletes)]
        day = day0 + datetime.timedelta(days=(i // len(athletes)) % 25)
        left, right = rng.uniform(250, 420), rng.uniform(300, 450)
        lines.append(f"{a.first_name} {a.last_name},{a.external_id},{day:%d/%m/%Y},{8 + i % 10:02d}:{i % 60:02d}:{i % 59:02d},"
                     f"NordBord,Nordic,3,3,{left:.1f},{right:.1f},{abs(left - right) / max(left, right) * 100:.1f},"
                     f"{left * 0.43:.1f},{right * 0.43:.1f}")
    return ("\n".join(lines) + "\n").encode()


def _trace_file(rows=100_000, hz=10) -> bytes:
    rng = random.Random(2)
    lines = ["Time (s),Speed (m/s)"]
    for i in range(rows):
        phase = (i // 300) % 6  # a sprint every 30 s
        speed = 8.9 + rng.uniform(-0.2, 0.2) if phase == 0 and i % 300 < 40 else 3.0 + rng.uniform(-0.5, 0.5)
        lines.append(f"{i / hz:.2f},{speed:.2f}")
    return ("\n".join(lines) + "\n").encode()


def main():
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    import django
    from django.conf import settings

    django.setup()
    settings.IMPORT_BACKGROUND_ROWS = 10**9  # time the confirm itself, in this process
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection

    call_command("migrate", verbosity=0, run_syncdb=True)
    from athletes.models import Membership, Organisation
    from imports import services
    from progression.evidence import session_log_enter
    from progression.models import Plan, Protocol
    from tests.factories import AthleteFactory, InjuryFactory, UserFactory

    org = Organisation.objects.create(name="Bench", slug=f"bench-{random.randint(0, 10**9)}")
    clinician = UserFactory(username=f"bench-{org.slug}")
    Membership.objects.create(user=clinician, organisation=org, role="clinician")
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    today = org.today()
    athletes = []
    for n in range(50):
        a = AthleteFactory(organisation=org, first_name=f"Ath{n}", last_name="Bench", external_id=f"B{n:03d}",
                           vmax_mps="9.40")
        injury = InjuryFactory(athlete=a, side="left", date_of_injury=today - datetime.timedelta(days=60))
        Plan.objects.create(injury=injury, protocol=protocol, clinician=clinician)
        session_log_enter(actor=clinician, athlete=a, pain_during=1, rpe=5, minutes=30,
                          date=today - datetime.timedelta(days=1))
        athletes.append(a)
    print(f"database: {connection.vendor}; {len(athletes)} athletes with an open plan")

    results = []
    for label, data, kwargs in (
        ("strength file, 5,000 rows", _strength_file(athletes, today - datetime.timedelta(days=28)), {}),
        ("speed trace, 100,000 rows (10 Hz)", _trace_file(), {"athlete": athletes[0],
                                                              "session_date": today - datetime.timedelta(days=1)}),
    ):
        rows = data.count(b"\n") - 1
        t0 = time.perf_counter()
        batch = services.import_preview(actor=clinician, organisation=org, file_name="bench.csv", data=data, **kwargs)
        t1 = time.perf_counter()
        services.import_confirm(actor=clinician, batch=batch)
        t2 = time.perf_counter()
        batch.refresh_from_db()
        total = t2 - t0
        results.append(total)
        print(f"{label}: {len(data) / 1e6:.1f} MB; preview {t1 - t0:.2f} s, confirm {t2 - t1:.2f} s "
              f"({batch.rows_written} records written); total {total:.2f} s = {rows / total:,.0f} rows/s "
              f"[{'OK' if total < 10 else 'OVER'} the 10 s target]")
        if batch.kind == "trace":
            print(f"  trace summary: {batch.rows[0]['shown']}, written {batch.rows[0]['write']}")
    return 0 if all(t < 10 for t in results) else 1


if __name__ == "__main__":
    sys.exit(main())
