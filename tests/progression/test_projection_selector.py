"""`projected_returns`: the plans' rows read in three queries whatever their number, and a plan worked by hand.

Today is Wed 10 Jun 2026 (ISO week 24: Mon 8 - Sun 14 Jun). The plan starts in P2 of the default protocol; the
injury (grade 2b, 30 days ago, Mon 11 May) has its 14-day floor (Mon 25 May) long passed. Sessions, all in P2:

    Wed 3 Jun  pain 0, soreness 0   clean
    Fri 5 Jun  pain 0, soreness 0   clean
    Mon 8 Jun  pain 3, soreness 1   held (pain above P2's 2): ends the run
    Tue 9 Jun  pain 6 (voided)      left out
    Wed 10 Jun pain 0, no report    today: waiting for its report, counted provisionally -> 1 banked

The walk starts Thu 11 (the athlete trained today). P2 (Mon/Wed/Fri) needs 1 more: Fri 12 -> advance Sat 13.
P3 (Tue/Fri, 48 h): Tue 16, Fri 19 -> Sat 20. P4 (Mon/Thu, 72 h): Mon 22, Thu 25 -> Fri 26. P5 (Tue/Fri):
Fri 26, Tue 30 -> clearance Wed 1 Jul. 7 clean sessions.

History: 2 clean, 1 held (today's pending session is not judged) and one standing regression (a rejected one
does not count), which costs P2's 2 sessions: 3 lost per 2 clean. For 7 sessions: floor(7 x 1.5 / 2) = 5 to
ceil(7 x 1.5 x 1.5) = 16 extra, 12 to 23 sessions.
"""
import datetime
import uuid
from decimal import Decimal

import pytest

from core import clock
from progression import selectors, services
from progression.models import Decision, Plan, Protocol
from sessions.models import SessionLog, SymptomReport
from tests.factories import AthleteFactory, InjuryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)


def D(month, day):
    return datetime.date(2026, month, day)


def _plan(world, name, phase=2):
    athlete = AthleteFactory(organisation=world.org, team=world.team, first_name=name, last_name="Projected")
    injury = InjuryFactory(athlete=athlete, date_of_injury=TODAY - datetime.timedelta(days=30), bamic_grade=2,
                           bamic_site="b")
    plan = services.plan_start(actor=world.clinician, injury=injury, start_date=TODAY - datetime.timedelta(days=20),
                               protocol=Protocol.objects.get(slug="hamstring-rts", version=1), start_phase=phase,
                               clearance_date=TODAY - datetime.timedelta(days=5) if phase == 6 else None)
    return athlete, plan


def _session(athlete, plan, day, pain=0, soreness=0, voided=False):
    log = SessionLog.objects.create(athlete=athlete, plan=plan, phase=plan.current_phase, pain_during=pain,
                                    rpe=Decimal(5), minutes=30, date=day, client_id=uuid.uuid4(),
                                    voided_at=clock.now() if voided else None)
    if soreness is not None:
        SymptomReport.objects.create(session_log=log, soreness_24h=soreness, client_id=uuid.uuid4())
    return log


def _decision(plan, status, reason=""):
    return Decision.objects.create(plan=plan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1,
                                   decided_on=TODAY, inputs={}, reasons=[], decided_by_rule="rule.pain_or_soreness_5",
                                   outcome="regress", from_phase=3, to_phase=2, status=status, review_reason=reason)


@pytest.fixture
def worked(world):
    world.org.time_zone = "UTC"
    world.org.save()
    clock.travel_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC))
    athlete, plan = _plan(world, "Worked")
    _session(athlete, plan, D(6, 3))
    _session(athlete, plan, D(6, 5))
    _session(athlete, plan, D(6, 8), pain=3, soreness=1)
    _session(athlete, plan, D(6, 9), pain=6, voided=True)
    _session(athlete, plan, D(6, 10), soreness=None)
    _decision(plan, "applied")
    _decision(plan, "rejected", reason="a typo in the pain score")
    return plan


def test_the_worked_plan(world, worked):
    pr = selectors.projected_returns([worked], TODAY)[worked.pk]
    assert [b for _, _, b in pr.schedule] == [D(6, 13), D(6, 20), D(6, 26), D(7, 1)]
    assert pr.earliest == D(7, 1) and pr.sessions_needed == 7
    assert pr.sessions_likely == (12, 23)
    assert pr.summary.startswith("earliest Wed 1 Jul, likely ")
    assert pr.summary.endswith(": 7 more clean sessions")
    assert "1 clean in this stint so far, 1 to go" in pr.reasons[0]
    assert "2 clean, 1 session that did not count, 1 regression" in " ".join(pr.reasons)


def test_a_red_flag_under_review_is_read_from_the_plan(world, worked):
    Plan.objects.filter(pk=worked.pk).update(review_pending=True)
    pr = selectors.projected_returns([worked], TODAY)[worked.pk]
    assert pr.reasons[0].startswith("A red flag waits for a clinician's review")


def test_ids_work_as_well_as_rows_and_today_defaults_to_the_clinics_day(world, worked):
    assert selectors.projected_returns([worked.pk])[worked.pk].earliest == D(7, 1)


def test_paused_and_completed_plans_have_none(world, worked):
    a2, paused = _plan(world, "Paused")
    Plan.objects.filter(pk=paused.pk).update(status="paused")
    a3, done = _plan(world, "Done", phase=6)
    Plan.objects.filter(pk=done.pk).update(status="completed", completed_on=TODAY)
    got = selectors.projected_returns([worked, paused, done], TODAY)
    assert set(got) == {worked.pk}
    assert selectors.projected_returns([], TODAY) == {}


@pytest.mark.parametrize("extra", [0, 15])
def test_three_queries_whatever_the_number_of_plans(world, worked, extra, django_assert_num_queries):
    plans = [worked]
    for i in range(extra):
        athlete, plan = _plan(world, f"More{i}", phase=i % 7)
        for k in range(i % 4):
            _session(athlete, plan, TODAY - datetime.timedelta(days=2 * k + 1), pain=k)
        plans.append(plan)
    ids = [p.pk for p in plans]
    with django_assert_num_queries(3):
        got = selectors.projected_returns(ids, TODAY)
    assert len(got) == 1 + extra
