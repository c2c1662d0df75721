"""Load the demo organisation: a clinician, a coach with a team, two athletes with phone logins, an injury with
assessments, and a plan on the default protocol with a few weeks of sessions, replayed day by day through the
real services (so every decision in the demo was taken by the engine).

It also loads a 25-athlete team ("Academy Squad", the same coach) at mixed phases, for the coach's grid and the
roster at team scale: each athlete started at a phase and trained the last two weeks (sessions and next-morning
reports through the same services), with a red flag, advances awaiting sign-off and overdue next-morning reports
among them.

Idempotent: if the demo organisation exists, it only adds the team when it is missing, then prints the logins.
"""
import contextlib
import datetime
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from athletes import services as athlete_services
from athletes.models import Organisation, Role
from core import clock
from core.exceptions import Conflict
from sessions.checklists import CHECKLISTS, checklist_for_phase
from sessions.models import SessionLog, SymptomReport

DEMO_SLUG = "demo-clinic"
DEMO_PASSWORD = "sprint-demo"
LOGINS = [
    ("clinician", "Clinician (browser)", "/clinic/"),
    ("coach", "Coach (browser, tablet)", "/coach/"),
    ("athlete", "Athlete, Jordan (phone)", "/me/"),
    ("athlete2", "Athlete, Casey (phone)", "/me/"),
]


SQUAD_NAME = "Academy Squad"
#: The squad: (first name, last name, start phase). Mixed phases, P0 to P6; the names are made up.
SQUAD = [
    ("Amara", "Diallo", 0), ("Ben", "Hartley", 0), ("Carlos", "Mendes", 0), ("Dmitri", "Volkov", 1),
    ("Elias", "Berg", 1), ("Femi", "Adeyemi", 1), ("Gabriel", "Rossi", 1), ("Hugo", "Laurent", 2),
    ("Isaac", "Novak", 2), ("Jonas", "Schmidt", 2), ("Kofi", "Mensah", 2), ("Liam", "O'Connor", 3),
    ("Mateo", "Garcia", 3), ("Noah", "Fischer", 3), ("Oscar", "Lindgren", 3), ("Pavel", "Horak", 4),
    ("Quentin", "Dubois", 4), ("Rafael", "Costa", 4), ("Samir", "Haddad", 5), ("Tomas", "Kowalski", 5),
    ("Umar", "Sheikh", 5), ("Victor", "Andersen", 6), ("William", "Price", 6), ("Yusuf", "Demir", 1),
    ("Zane", "Walker", 2),
]
SQUAD_DAYS = [1, 3, 5]


class Command(BaseCommand):
    help = "Create the demo organisation, users and a plan with a few weeks of history (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=24, help="Days of history for the demo plan.")

    def handle(self, *args, **options):
        org = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if org is not None:
            self.stdout.write("Demo data already loaded.")
            if not org.teams.filter(name=SQUAD_NAME).exists():
                self._load_squad(org)
                self.stdout.write(self.style.SUCCESS(f"{SQUAD_NAME} loaded."))
        else:
            self._load(days=options["days"])
            self._load_squad(Organisation.objects.get(slug=DEMO_SLUG))
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, who, url in LOGINS:
            self.stdout.write(f"  {username:<10} {who:<26} {url}")

    @transaction.atomic
    def _load(self, *, days: int):
        from progression import evidence
        from progression import services as plan_services
        from progression.selectors import protocol_latest

        org = athlete_services.organisation_create(actor=None, name="Demo Sports Medicine", slug=DEMO_SLUG,
                                                   time_zone="Europe/London")
        mk = athlete_services.user_create
        clinician = mk(actor=None, organisation=org, role=Role.CLINICIAN, username="clinician", password=DEMO_PASSWORD,
                       email="clinician@demo.local", first_name="Dana", last_name="Physio")
        coach = mk(actor=None, organisation=org, role=Role.COACH, username="coach", password=DEMO_PASSWORD,
                   email="coach@demo.local", first_name="Chris", last_name="Coach")
        team = athlete_services.team_create(actor=None, organisation=org, name="First Team", coaches=[coach])
        phone1 = mk(actor=None, organisation=org, role=Role.ATHLETE, username="athlete", password=DEMO_PASSWORD,
                    email="jordan@demo.local", first_name="Jordan")
        phone2 = mk(actor=None, organisation=org, role=Role.ATHLETE, username="athlete2", password=DEMO_PASSWORD,
                    email="casey@demo.local", first_name="Casey")
        jordan = athlete_services.athlete_create(
            actor=None, organisation=org, user=phone1, first_name="Jordan", last_name="Okafor", team=team,
            sport="Football", position="Winger", dominant_leg="right", vmax_mps=Decimal("9.60"), vmax_source="gps",
            date_of_birth=datetime.date(2001, 5, 14), training_days=[1, 3, 5],
        )
        athlete_services.athlete_create(
            actor=None, organisation=org, user=phone2, first_name="Casey", last_name="Lindqvist", team=team,
            sport="Football", position="Full-back", dominant_leg="left", vmax_mps=Decimal("9.10"), vmax_source="timing_gates",
        )
        tz = org.tz
        today = clock.now().astimezone(tz).date()
        start = today - datetime.timedelta(days=days)

        def at(day, hour):
            return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

        injury = athlete_services.injury_create(
            actor=clinician, athlete=jordan, side="left", muscle="bflh", bamic_grade=2, bamic_site="b",
            mechanism="sprint", date_of_injury=start - datetime.timedelta(days=3),
            notes="Felt a grab at 30 m in the second half; MRI: BFlh musculotendinous junction.",
        )
        evidence.assessment_enter(
            actor=clinician, injury=injury, now=at(start, 9), assessed_on=start, pain_palpation=4,
            ake_deficit_deg=Decimal("18"), pslr_injured_deg=Decimal("62"), pslr_uninjured_deg=Decimal("80"),
            strength_method="iso_90_90", strength_injured_n=Decimal("228"), strength_uninjured_n=Decimal("310"),
            h_test_insecurity=Decimal("40"), notes="Baseline.",
        )
        protocol = protocol_latest(slug="hamstring-rts")
        plan = plan_services.plan_start(actor=clinician, injury=injury, protocol=protocol, start_date=start,
                                        baseline_weekly_load=Decimal("2400"), now=at(start, 10))
        # A plausible course: the athlete trains Mon/Wed/Fri-ish, reports each morning, gets stronger week by week.
        injured_n = Decimal("230")
        for offset in range(1, days):
            day = start + datetime.timedelta(days=offset)
            if day.isoweekday() not in (1, 3, 5):
                continue
            plan.refresh_from_db()
            phase = plan.current_phase
            if day.isoweekday() == 1 or offset <= 2:
                # The clinician's weekly strength test (isometric 90/90): the injured leg recovers week by week.
                injured_n = min(injured_n + Decimal("18"), Decimal("300"))
                evidence.assessment_enter(
                    actor=clinician, injury=injury, now=at(day, 17), assessed_on=day, pain_palpation=max(0, 3 - phase),
                    strength_method="iso_90_90", strength_injured_n=injured_n, strength_uninjured_n=Decimal("310"),
                    h_test_insecurity=Decimal("0") if phase >= 3 else None,
                )
            # The athlete logs what they felt; the coach rates technique and records the GPS peak speed.
            log, _ = evidence.session_log_enter(actor=phone1, athlete=jordan, client_id=uuid.uuid4(), now=at(day, 18),
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
            if day < today:
                evidence.symptom_report_enter(actor=phone1, session_log=log, client_id=uuid.uuid4(),
                                              now=at(day + datetime.timedelta(days=1), 8), soreness_24h=1,
                                              sleep_quality=4, fatigue=2)
            pending = plan.decisions.filter(status="awaiting_signoff").first()
            if pending is not None and pending.to_phase is not None and pending.to_phase <= 2:
                plan_services.decision_sign_off(actor=clinician, decision=pending,
                                                now=at(day + datetime.timedelta(days=1), 9))

    @transaction.atomic
    def _load_squad(self, org):
        """25 athletes at mixed phases with two weeks of sessions and reports (the last ones: a red flag, an
        advance left for the clinician to sign off, next-morning reports not sent)."""
        from progression import evidence
        from progression import services as plan_services
        from progression.selectors import protocol_latest

        clinician = org.memberships.get(role=Role.CLINICIAN, user__username="clinician").user
        coach = org.memberships.get(role=Role.COACH, user__username="coach").user
        team = athlete_services.team_create(actor=None, organisation=org, name=SQUAD_NAME, coaches=[coach])
        protocol = protocol_latest(slug="hamstring-rts")
        tz = org.tz
        today = clock.now().astimezone(tz).date()

        def at(day, hour):
            return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

        start = today - datetime.timedelta(days=14)
        days = [start + datetime.timedelta(days=i) for i in range(14) if (start + datetime.timedelta(days=i)).isoweekday() in SQUAD_DAYS]
        for n, (first, last, phase) in enumerate(SQUAD):
            athlete = athlete_services.athlete_create(
                actor=None, organisation=org, first_name=first, last_name=last, team=team, sport="Football",
                vmax_mps=Decimal("8.80") + Decimal(n % 8) / 10, vmax_source="gps", training_days=SQUAD_DAYS,
            )
            injury = athlete_services.injury_create(
                actor=clinician, athlete=athlete, side="left" if n % 2 else "right", muscle="bflh",
                bamic_grade=1 + n % 3, bamic_site="b", mechanism="sprint",
                date_of_injury=start - datetime.timedelta(days=7 + 4 * phase),
            )
            evidence.assessment_enter(
                actor=clinician, injury=injury, now=at(start - datetime.timedelta(days=1), 9),
                assessed_on=start - datetime.timedelta(days=1), pain_palpation=max(0, 3 - phase),
                strength_method="iso_90_90", strength_injured_n=Decimal(250 + 10 * phase),
                strength_uninjured_n=Decimal("310"),
            )
            plan = plan_services.plan_start(
                actor=clinician, injury=injury, protocol=protocol, start_phase=phase, start_date=start,
                now=at(start, 8), baseline_weekly_load=Decimal("2400"),
                clearance_date=start - datetime.timedelta(days=3) if phase >= 6 else None,
            )
            red_flag = first == "Kofi"
            unreported = first in ("Liam", "Pavel", "Yusuf")
            leave_pending = first == "Carlos"
            # The older sessions and their reports as history rows (quick to load; the engine reads them as the
            # stint's sessions); the last two through the services, so each athlete's latest decisions are the
            # engine's own.
            history, live = days[:-2], days[-2:]
            logs = SessionLog.objects.bulk_create([
                SessionLog(athlete=athlete, plan=plan, phase=phase, date=day, pain_during=n % 2,
                           rpe=Decimal(4 + min(phase, 4)), minutes=40 + 5 * phase, reps_done=10,
                           client_id=uuid.uuid4(), logged_by=clinician, logged_at=at(day, 18))
                for day in history])
            SymptomReport.objects.bulk_create([
                SymptomReport(session_log=log, soreness_24h=1, sleep_quality=4, fatigue=2, client_id=uuid.uuid4(),
                              reported_by=clinician, reported_at=at(log.date + datetime.timedelta(days=1), 8))
                for log in logs])
            for k, day in enumerate(live):
                last_day = k == len(live) - 1
                log, _ = evidence.session_log_enter(
                    actor=clinician, athlete=athlete, client_id=uuid.uuid4(), now=at(day, 18), date=day,
                    pain_during=7 if red_flag and last_day else n % 2, rpe=Decimal(4 + min(phase, 4)),
                    minutes=40 + 5 * phase, reps_done=10)
                if not (unreported and last_day) and day + datetime.timedelta(days=1) <= today:
                    evidence.symptom_report_enter(actor=clinician, session_log=log, client_id=uuid.uuid4(),
                                                  now=at(day + datetime.timedelta(days=1), 8), soreness_24h=1,
                                                  sleep_quality=4, fatigue=2)
                plan.refresh_from_db()
                pending = plan.decisions.filter(status="awaiting_signoff").first()
                if pending is not None and not leave_pending and day + datetime.timedelta(days=1) <= today:
                    # the evidence may have moved on: the engine's re-check is recorded, the demo carries on
                    with contextlib.suppress(Conflict):
                        plan_services.decision_sign_off(actor=clinician, decision=pending,
                                                        now=at(day + datetime.timedelta(days=1), 9))
