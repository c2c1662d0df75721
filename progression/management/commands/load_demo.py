"""Load the demo organisation: a clinician, a coach with a team, two athletes with phone logins, an injury with
assessments, and a plan on the default protocol with a few weeks of sessions, replayed day by day through the
real services (so every decision in the demo was taken by the engine).

Idempotent: if the demo organisation exists, it only prints the logins.
"""
import datetime
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from athletes import services as athlete_services
from athletes.models import Organisation, Role
from core import clock
from sessions.checklists import CHECKLISTS, checklist_for_phase

DEMO_SLUG = "demo-clinic"
DEMO_PASSWORD = "sprint-demo"
LOGINS = [
    ("clinician", "Clinician (browser)", "/clinic/"),
    ("coach", "Coach (browser, tablet)", "/coach/"),
    ("athlete", "Athlete, Jordan (phone)", "/me/"),
    ("athlete2", "Athlete, Casey (phone)", "/me/"),
]


class Command(BaseCommand):
    help = "Create the demo organisation, users and a plan with a few weeks of history (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=24, help="Days of history for the demo plan.")

    def handle(self, *args, **options):
        if Organisation.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            self._load(days=options["days"])
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
