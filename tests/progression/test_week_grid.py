"""The coach's week as a grid (issue 12, point 1): athletes as rows, days as columns, the key dose per cell, past
days in the phase the plan was in that day, flags in the row, and a query count independent of the team's size."""
import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from progression import services
from progression.models import Decision, Protocol
from progression.selectors.grid import key_dose, phase_on, public_notes, week_grid
from sessions.models import SessionLog, SymptomReport
from tests.factories import AthleteFactory, InjuryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)  # a Wednesday of ISO week 24
YEAR, WEEK, _ = TODAY.isocalendar()
MONDAY = TODAY - datetime.timedelta(days=2)


def _athlete(world, name, phase=0, vmax=None):
    athlete = AthleteFactory(organisation=world.org, team=world.team, first_name=name, last_name="Grid",
                             vmax_mps=vmax)
    injury = InjuryFactory(athlete=athlete, date_of_injury=TODAY - datetime.timedelta(days=40))
    plan = services.plan_start(actor=world.clinician, injury=injury, start_date=TODAY - datetime.timedelta(days=30),
                               protocol=Protocol.objects.get(slug="hamstring-rts", version=1), start_phase=phase)
    return athlete, plan


def _session(athlete, plan, day, reported=True):
    log = SessionLog.objects.create(athlete=athlete, plan=plan, phase=plan.current_phase, pain_during=1,
                                    rpe=Decimal(5), minutes=40, date=day, client_id=uuid.uuid4())
    if reported:
        SymptomReport.objects.create(session_log=log, soreness_24h=1, client_id=uuid.uuid4())
    return log


def _advance(plan, *, on, from_phase, to_phase, status="applied"):
    Decision.objects.create(plan=plan, trigger="session_log", protocol_slug="hamstring-rts", protocol_version=1,
                            decided_on=on, inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
                            outcome="advance", from_phase=from_phase, to_phase=to_phase, status=status)


@pytest.fixture
def org_utc(world):
    world.org.time_zone = "UTC"
    world.org.save()
    clock.travel_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC))
    return world


def _grid(world, **kw):
    return week_grid(user=world.coach, team_id=None, year=YEAR, week=WEEK, today=TODAY, **kw)


def test_past_days_show_the_phase_of_that_day(org_utc):
    """Advanced P1 -> P2 on Monday (applied that day): Monday's session was P1's, Wednesday's is P2's."""
    athlete, plan = _athlete(org_utc, "Moved", phase=1)
    _advance(plan, on=MONDAY, from_phase=1, to_phase=2)
    plan.current_phase = 2
    plan.save()
    _session(athlete, plan, MONDAY)
    (row,) = [r for g in _grid(org_utc)["groups"] for r in g["rows"]]
    cells = {c.date: c for c in row.cells}
    assert cells[MONDAY].phase == 1 and cells[MONDAY].other_phase
    assert cells[TODAY].phase == 2 and not cells[TODAY].other_phase
    # P1 is drills and tempo runs; P2 is accelerations and strides
    assert not any("Strides" in t for t in cells[MONDAY].running)
    assert any("Strides" in t for t in cells[TODAY].running)
    assert cells[MONDAY].logged == ["Logged: pain 1, RPE 5 x 40 min, soreness 1"]


def test_phase_on_reads_the_changes_in_order():
    changes = [(datetime.date(2026, 6, 1), 0, 1), (datetime.date(2026, 6, 5), 1, 2), (datetime.date(2026, 6, 8), 2, 1)]
    assert phase_on(changes, datetime.date(2026, 5, 30), 1) == 0
    assert phase_on(changes, datetime.date(2026, 6, 1), 1) == 0  # a change counts from the next day
    assert phase_on(changes, datetime.date(2026, 6, 2), 1) == 1
    assert phase_on(changes, datetime.date(2026, 6, 7), 1) == 2
    assert phase_on(changes, datetime.date(2026, 6, 9), 1) == 1
    assert phase_on([], datetime.date(2026, 6, 9), 3) == 3


def test_flags_in_the_row(org_utc):
    flagged, plan = _athlete(org_utc, "Flagged")
    plan.review_pending = True
    plan.save()
    waiting, wplan = _athlete(org_utc, "Waiting")
    Decision.objects.create(plan=wplan, trigger="manual", protocol_slug="hamstring-rts", protocol_version=1,
                            decided_on=TODAY, inputs={}, reasons=[], decided_by_rule="rule.exit_criteria",
                            outcome="advance", from_phase=0, to_phase=1, status="awaiting_signoff")
    late, lplan = _athlete(org_utc, "Late")
    _session(late, lplan, MONDAY, reported=False)
    rows = {r.athlete.first_name: r for g in _grid(org_utc)["groups"] for r in g["rows"]}
    assert [w for _, w in rows["Flagged"].flags] == ["Red flag: review pending"]
    assert [w for _, w in rows["Waiting"].flags] == ["Sign-off pending"]
    assert [w for _, w in rows["Late"].flags] == ["1 next-morning report overdue"]


def test_grouped_and_filtered_by_phase(org_utc):
    _athlete(org_utc, "Zero", phase=0)
    _athlete(org_utc, "Two", phase=2)
    grid = _grid(org_utc)
    assert [g["phase"] for g in grid["groups"]] == [0, 2] and grid["phases"] == [0, 2]
    only = _grid(org_utc, phase=2)
    assert [[r.athlete.first_name for r in g["rows"]] for g in only["groups"]] == [["Two"]]


def test_the_key_dose_in_one_line(org_utc):
    _athlete(org_utc, "Fast", phase=2, vmax=Decimal("9.6"))
    (row,) = [r for g in _grid(org_utc)["groups"] for r in g["rows"]]
    monday = row.cells[0]
    assert monday.lines[0] == "4-6 x 20-30 m Rolling accelerations 60-70 %, 5.8-6.7 m/s"
    assert monday.lines[1] == "+1 running/drill, 5 S&C"
    # the clinicians' marker is not shown to the coach
    assert not any("practice default" in t for t in monday.strength)
    clinician = week_grid(user=org_utc.clinician, team_id=None, year=YEAR, week=WEEK, today=TODAY, clinician=True)
    assert any("practice default" in t for t in clinician["groups"][0]["rows"][0].cells[0].strength)


def test_public_notes():
    assert public_notes("stage 2: assisted, fuller range (practice default)") == "stage 2: assisted, fuller range"
    assert public_notes("(practice default)") is None
    assert public_notes("pain-free holds") == "pain-free holds"


def test_key_dose_without_a_distance():
    class Item:
        name, sets, reps, distance_m, build_m, time_s_min, time_s_max = "Romanian deadlift", "3", "8", None, None, None, None
        intensity_pct_min = intensity_pct_max = target_speed_mps_min = target_speed_mps_max = None
    assert key_dose(Item) == "3 x 8 Romanian deadlift"


def _page_queries(world, client_for):
    client = client_for(world.coach)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/coach/?year={YEAR}&week={WEEK}")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _team(world, n):
    for i in range(n):
        athlete, plan = _athlete(world, f"A{i:02d}", phase=i % 5)
        if i % 3 == 0:
            _advance(plan, on=MONDAY, from_phase=plan.current_phase, to_phase=plan.current_phase + 1)
            plan.current_phase += 1
            plan.save()
        _session(athlete, plan, MONDAY, reported=bool(i % 2))


def test_the_page_query_count_does_not_grow_with_athletes(org_utc, client_for):
    _team(org_utc, 5)
    five, _ = _page_queries(org_utc, client_for)
    _team_more = [_athlete(org_utc, f"B{i:02d}", phase=i % 6) for i in range(20)]
    for athlete, plan in _team_more:
        _session(athlete, plan, MONDAY, reported=False)
    twenty_five, html = _page_queries(org_utc, client_for)
    assert html.count('<tr class="flagged">') + html.count("<tr><th") >= 25
    print(f"coach grid page queries: {five} with 5 athletes, {twenty_five} with 25")
    assert twenty_five == five, (five, twenty_five)
    assert html.count('class="grid-back') >= 20, "the projected return shows in the athletes' rows"
