"""Seed a benchmark clinic: N athletes in teams of 25, each with an injury, a plan on the default protocol and
60 days of sessions, next-morning reports, assessments, technique ratings and the engine's decisions.

A few template athletes are replayed day by day through the real services (so their decisions were taken by the
engine); every other athlete is a bulk_create copy of one template's rows (new ids, own user, own team). Run inside
Django (DJANGO_SETTINGS_MODULE set, django.setup() done).
"""
from __future__ import annotations

import datetime
import importlib
import sys
import time
import uuid
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction

from athletes import services as athlete_services
from athletes.models import Athlete, Injury, Membership, Role, Team
from core import clock
from progression import evidence
from progression import services as plan_services
from progression.models import Decision, Plan
from progression.selectors import protocol_latest
from sessions.checklists import CHECKLISTS, checklist_for_phase
from sessions.models import Assessment, SessionLog, SymptomReport, TechniqueRating

SLUG = "bench-clinic"
PASSWORD = "bench-password"
TEAM_SIZE = 25
DAYS = 60
#: (training days, soreness, whether every advance is signed off): athletes at different phases and states.
TEMPLATES = [((1, 3, 5), 1, True), ((2, 4, 6), 0, True), ((1, 3, 5), 2, False), ((1, 2, 4, 6), 1, True)]


def progress(label: str, done: int, total: int, started: float) -> None:
    """A simple progress bar on stderr (tqdm is not in the lock)."""
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r{label:<22} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.0f}/s)")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _replay(*, org, clinician, coach, athlete, user, training_days, soreness, sign_all):
    """One athlete's 60 days through the real services (like load_demo)."""
    tz = org.tz
    today = clock.now().astimezone(tz).date()
    start = today - datetime.timedelta(days=DAYS)

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    injury = athlete_services.injury_create(
        actor=clinician, athlete=athlete, side="left", muscle="bflh", bamic_grade=2, bamic_site="b",
        mechanism="sprint", date_of_injury=start - datetime.timedelta(days=3), notes="Benchmark injury.")
    evidence.assessment_enter(
        actor=clinician, injury=injury, now=at(start, 9), assessed_on=start, pain_palpation=4,
        ake_deficit_deg=Decimal("18"), pslr_injured_deg=Decimal("62"), pslr_uninjured_deg=Decimal("80"),
        strength_method="iso_90_90", strength_injured_n=Decimal("228"), strength_uninjured_n=Decimal("310"),
        h_test_insecurity=Decimal("40"), notes="Baseline.")
    plan = plan_services.plan_start(actor=clinician, injury=injury, protocol=protocol_latest(slug="hamstring-rts"),
                                    start_date=start, baseline_weekly_load=Decimal("2400"), now=at(start, 10))
    injured_n = Decimal("230")
    for offset in range(1, DAYS):
        day = start + datetime.timedelta(days=offset)
        if day.isoweekday() not in training_days or day >= today:
            continue
        plan.refresh_from_db()
        if plan.status != Plan.Status.ACTIVE:
            break
        phase = plan.current_phase
        if day.isoweekday() == training_days[0] or offset <= 2:
            injured_n = min(injured_n + Decimal("12"), Decimal("305"))
            evidence.assessment_enter(
                actor=clinician, injury=injury, now=at(day, 17), assessed_on=day, pain_palpation=max(0, 3 - phase),
                strength_method="iso_90_90", strength_injured_n=injured_n, strength_uninjured_n=Decimal("310"),
                h_test_insecurity=Decimal("0") if phase >= 3 else None)
        log, _ = evidence.session_log_enter(actor=user, athlete=athlete, client_id=uuid.uuid4(), now=at(day, 18),
                                            date=day, pain_during=1 if phase < 2 else 0,
                                            rpe=Decimal(4 + min(phase, 4)), minutes=40 + 5 * phase, reps_done=12)
        if phase >= 1:
            kind = checklist_for_phase(phase)
            items = [code for code, _ in CHECKLISTS[kind]]
            evidence.technique_rating_enter(actor=coach, session_log=log, now=at(day, 19), kind=kind,
                                            items_correct=items[: len(items) - 1])
        if phase >= 3:
            evidence.session_measurements_enter(actor=coach, session_log=log, now=at(day, 19),
                                                peak_speed_mps=Decimal("8.26"))
        evidence.symptom_report_enter(actor=user, session_log=log, client_id=uuid.uuid4(),
                                      now=at(day + datetime.timedelta(days=1), 8), soreness_24h=soreness,
                                      sleep_quality=4, fatigue=2)
        pending = plan.decisions.filter(status="awaiting_signoff").first()
        if pending is not None and (sign_all or (pending.to_phase is not None and pending.to_phase <= 2)):
            plan_services.decision_sign_off(actor=clinician, decision=pending,
                                            now=at(day + datetime.timedelta(days=1), 9))
    return Plan.objects.get(pk=plan.pk)


def _rows(model, **filters):
    return list(model.objects.filter(**filters).order_by("pk").values())


def _copy(model, rows, targets, **changes):
    """bulk_create one copy of `rows` (dicts from .values()) per target, with new ids; `changes` maps a column to a
    value or to a function (row, target). Returns one {old id: new id} per target."""
    objs = []
    for target in targets:
        for row in rows:
            data = dict(row)
            data.pop("id")
            for key, value in changes.items():
                data[key] = value(row, target) if callable(value) else value
            objs.append(model(**data))
    created = model.objects.bulk_create(objs, batch_size=2000)
    maps, it = [], iter(created)
    for _ in targets:
        maps.append({row["id"]: next(it).pk for row in rows})
    return maps


class Template:
    """One replayed athlete's rows, ready to copy."""

    def __init__(self, plan: Plan):
        self.plan = _rows(Plan, pk=plan.pk)
        self.injury = _rows(Injury, pk=plan.injury_id)
        self.assessments = _rows(Assessment, injury_id=plan.injury_id)
        self.logs = _rows(SessionLog, plan_id=plan.pk)
        log_ids = [r["id"] for r in self.logs]
        self.reports = _rows(SymptomReport, session_log_id__in=log_ids)
        self.ratings = _rows(TechniqueRating, session_log_id__in=log_ids)
        self.decisions = _rows(Decision, plan_id=plan.pk)


def _copy_athletes(t: Template, pairs, coach_id, *, decisions: str = "all"):
    """Copy the template's rows for each (athlete, user): one bulk_create per table."""
    targets = [{"athlete": a.pk, "user": u.pk} for a, u in pairs]
    for target, m in zip(targets, _copy(Injury, t.injury, targets, athlete_id=lambda r, x: x["athlete"]), strict=True):
        target["injury"] = next(iter(m.values()))
    for target, m in zip(targets, _copy(Plan, t.plan, targets, injury_id=lambda r, x: x["injury"]), strict=True):
        target["plan"] = next(iter(m.values()))
    assessment_maps = _copy(Assessment, t.assessments, targets, injury_id=lambda r, x: x["injury"],
                            plan_id=lambda r, x: x["plan"] if r["plan_id"] else None)
    log_maps = _copy(SessionLog, t.logs, targets, athlete_id=lambda r, x: x["athlete"],
                     plan_id=lambda r, x: x["plan"], logged_by_id=lambda r, x: x["user"],
                     client_id=lambda r, x: uuid.uuid4())
    for target, logs, assessments in zip(targets, log_maps, assessment_maps, strict=True):
        target["logs"], target["assessments"] = logs, assessments
    report_maps = _copy(SymptomReport, t.reports, targets, session_log_id=lambda r, x: x["logs"][r["session_log_id"]],
                        reported_by_id=lambda r, x: x["user"], client_id=lambda r, x: uuid.uuid4())
    for target, reports in zip(targets, report_maps, strict=True):
        target["reports"] = reports
    _copy(TechniqueRating, t.ratings, targets, session_log_id=lambda r, x: x["logs"][r["session_log_id"]],
          rated_by_id=coach_id)
    _copy(Decision, t.decisions if decisions == "all" else t.decisions[-1:], targets, plan_id=lambda r, x: x["plan"],
          session_log_id=lambda r, x: x["logs"].get(r["session_log_id"]),
          symptom_report_id=lambda r, x: x["reports"].get(r["symptom_report_id"]),
          assessment_id=lambda r, x: x["assessments"].get(r["assessment_id"]))


def reset() -> None:
    """Empty the benchmark's database (the audit trail is append-only: no row can be deleted one by one) and load
    the default protocol again. Refuses a database whose name does not say it is a benchmark's."""
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"The benchmark empties its database: {name!r} has no 'bench' in its name. Point "
                         "DATABASE_URL at a database of its own, e.g. .../rehab_bench.")
    call_command("flush", interactive=False, verbosity=0)
    importlib.import_module("progression.migrations.0003_default_protocol").load(django_apps, None)


def seed(n: int, *, templates: int = len(TEMPLATES), quiet: bool = False, decisions: str = "all") -> dict:
    """Create the benchmark clinic of `n` athletes (replacing an earlier one). Returns the logins' user ids."""
    started = time.perf_counter()
    User = get_user_model()
    reset()
    with transaction.atomic():
        org = athlete_services.organisation_create(actor=None, name="Benchmark Clinic", slug=SLUG,
                                                   time_zone="Europe/London")
        mk = athlete_services.user_create
        clinician = mk(actor=None, organisation=org, role=Role.CLINICIAN, username="bench-clinician",
                       password=PASSWORD, email="clinician@bench.local", first_name="Bench", last_name="Clinician")
    # The coaches' and athletes' logins: one password hash for all (hashing is slow by design), bulk-created.
    hashed = make_password(PASSWORD)
    teams_n = (n + TEAM_SIZE - 1) // TEAM_SIZE
    coaches = User.objects.bulk_create([User(username=f"bench-coach-{t}", password=hashed, first_name="Coach",
                                             last_name=f"Team {t}") for t in range(teams_n)], batch_size=1000)
    Membership.objects.bulk_create([Membership(user=c, organisation=org, role=Role.COACH) for c in coaches],
                                   batch_size=1000)
    teams = Team.objects.bulk_create([Team(organisation=org, name=f"Team {t:04d}") for t in range(teams_n)],
                                     batch_size=1000)
    Team.coaches.through.objects.bulk_create([Team.coaches.through(team_id=team.pk, user_id=coach.pk)
                                              for team, coach in zip(teams, coaches, strict=True)], batch_size=1000)
    k = max(1, min(templates, len(TEMPLATES), n))
    users = User.objects.bulk_create([User(username=f"bench-athlete-{i}", password=hashed, first_name="Athlete",
                                           last_name=f"No {i}") for i in range(n)], batch_size=1000)
    Membership.objects.bulk_create([Membership(user=u, organisation=org, role=Role.ATHLETE) for u in users],
                                   batch_size=1000)
    athletes = Athlete.objects.bulk_create([
        Athlete(organisation=org, team=teams[i // TEAM_SIZE], user=u, first_name="Athlete", last_name=f"No {i:05d}",
                sport="Football", position="Winger", dominant_leg="right", vmax_mps=Decimal("9.40"), vmax_source="gps",
                training_days=list(TEMPLATES[i % k][0]))
        for i, u in enumerate(users)], batch_size=1000)
    # The templates: the first athletes, replayed through the services.
    templates = []
    for i in range(k):
        days, soreness, sign_all = TEMPLATES[i]
        with transaction.atomic():
            plan = _replay(org=org, clinician=clinician, coach=coaches[i // TEAM_SIZE], athlete=athletes[i],
                           user=users[i], training_days=days, soreness=soreness, sign_all=sign_all)
        templates.append(Template(plan))
        if not quiet:
            progress("replaying templates", i + 1, k, started)
    copy_started = time.perf_counter()
    rest = list(range(k, n))
    for start in range(0, len(rest), TEAM_SIZE):
        chunk = rest[start:start + TEAM_SIZE]
        with transaction.atomic():
            # Template index by athlete number, so an athlete's plan matches its training days.
            by_template = {}
            for i in chunk:
                by_template.setdefault(i % k, []).append(i)
            for t_index, numbers in by_template.items():
                pairs = [(athletes[i], users[i]) for i in numbers]
                _copy_athletes(templates[t_index], pairs, coaches[numbers[0] // TEAM_SIZE].pk, decisions=decisions)
        if not quiet:
            progress("copying athletes", min(start + TEAM_SIZE, len(rest)), len(rest), copy_started)
    return {"organisation": org.pk, "clinician": clinician.pk, "coach": coaches[0].pk, "team": teams[0].pk,
            "athletes": [u.pk for u in users], "athlete_ids": [a.pk for a in athletes]}


def login_cookie(user_id: int) -> str:
    """A session for the user, as a login would create it: the value of the session cookie."""
    user = get_user_model().objects.get(pk=user_id)
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key
