"""The projected return-to-sport date, checked against dates worked out by hand.

Calendar used throughout (December 2026): Tue 1 Dec is "today".

    ISO week 49: Mon 30 Nov  Tue 1  Wed 2  Thu 3  Fri 4  Sat 5  Sun 6
    ISO week 50: Mon 7       Tue 8  Wed 9  Thu 10 Fri 11 Sat 12 Sun 13
    ISO week 51: Mon 14      Tue 15 Wed 16 Thu 17 Fri 18 Sat 19 Sun 20
    ISO week 52: Mon 21      Tue 22 Wed 23 Thu 24 Fri 25 Sat 26 Sun 27
    ISO week 53: Mon 28      Tue 29 Wed 30 Thu 31 Fri 1 Jan 2027 ...  Tue 5 Jan, Wed 6 Jan

The default protocol (progression/protocols/hamstring-rts.json), as the walk reads it:

    phase  default days  spacing  cap/week  sessions needed
    P0     Mon Wed Fri   -        5         2
    P1     Mon Wed Fri   48 h     3         2
    P2     Mon Wed Fri   -        3         2
    P3     Tue Fri       48 h     2         2
    P4     Mon Thu       72 h     2         2   (3 efforts at 95 % is a sum: two sessions can meet it)
    P5     Tue Fri       -        3         2   (2 full sessions: 2 sessions); leaving P5 is clearance
    P6     Tue Fri       -        4         4   and 28 days after clearance; leaving P6 is discharge

A phase's advance is the morning after its last session; the next phase can train that same day at the earliest.
"""

from __future__ import annotations

import copy
import datetime

import pytest

from progression.engine import (
    History,
    PlanState,
    SessionInput,
    banked_sessions,
    default_protocol_data,
    load_default_protocol,
    project_return,
    protocol_from_dict,
    session_clean,
)
from progression.engine.projection import DEFAULT_RATE, phase_sessions_needed

from .shapes import load_protocol

P = load_default_protocol()
FIVE = load_protocol("five_phases.json")
NINE = load_protocol("nine_phases.json")
TODAY = datetime.date(2026, 12, 1)  # a Tuesday
INJURY = datetime.date(2026, 11, 20)  # grade 1: floor 7 days = Fri 27 Nov, passed


def D(month, day, year=2026):
    return datetime.date(year, month, day)


def state(**kw):
    base = {"phase": 0, "banked": 0, "injury_date": INJURY, "grade": 1}
    base.update(kw)
    return PlanState(**base)


def test_today_is_a_tuesday():
    assert TODAY.isoweekday() == 2 and TODAY.isocalendar()[1] == 49


def test_sessions_needed_per_phase_of_the_default():
    assert [phase_sessions_needed(ph) for ph in P.phases] == [2, 2, 2, 2, 2, 2, 4]


def test_p0_from_scratch_walks_every_phase_to_clearance():
    # P0 Mon/Wed/Fri: Tue 1 is not a training day -> Wed 2, Fri 4; advance Sat 5.
    # P1 Mon/Wed/Fri, 48 h: Mon 7, Wed 9; advance Thu 10.
    # P2 Mon/Wed/Fri: Fri 11, Mon 14; advance Tue 15.
    # P3 Tue/Fri, 48 h: Tue 15 is 1 day after Mon 14 (< 48 h) -> Fri 18, Tue 22; advance Wed 23.
    # P4 Mon/Thu, 72 h: Thu 24 is 2 days after Tue 22 (< 72 h) -> Mon 28, Thu 31; advance Fri 1 Jan.
    # P5 Tue/Fri: Fri 1 Jan (1 day after Thu 31: no spacing in P5), Tue 5 Jan; advance (clearance) Wed 6 Jan.
    # 12 clean sessions. No history: likely up to 6 more (one in two), spread P0, P1, ... P5 one each:
    # P0 Wed 2, Fri 4, Mon 7 -> Tue 8; P1 Wed 9, Fri 11, Mon 14 -> Tue 15; P2 Wed 16, Fri 18, Mon 21 -> Tue 22;
    # P3 Fri 25, Tue 29, Fri 1 Jan -> Sat 2; P4 Mon 4, Thu 7, Mon 11 -> Tue 12; P5 Tue 12, Fri 15, Tue 19 -> Wed 20.
    pr = project_return(P, state(phase=0), TODAY)
    assert pr.target == "clearance" and pr.target_phase == 5 and not pr.cleared
    assert [(n, a, b) for n, a, b in pr.schedule] == [
        (0, D(12, 2), D(12, 5)), (1, D(12, 7), D(12, 10)), (2, D(12, 11), D(12, 15)),
        (3, D(12, 18), D(12, 23)), (4, D(12, 28), D(1, 1, 2027)), (5, D(1, 1, 2027), D(1, 6, 2027))]
    assert pr.earliest == D(1, 6, 2027)
    assert pr.sessions_needed == 12 and pr.sessions_likely == (12, 18)
    assert (pr.likely_from, pr.likely_to) == (D(1, 6, 2027), D(1, 20, 2027))
    assert pr.summary == "earliest Wed 6 Jan, likely 6-20 Jan: 12 more clean sessions"


def test_p1_with_one_clean_session_banked():
    # Last session Mon 30 Nov (clean, banked 1 of 2); it counts in week 49.
    # P1 Mon/Wed/Fri, 48 h: Wed 2 (2 days after Mon 30); advance Thu 3.
    # P2 Mon/Wed/Fri: Fri 4 (week 49: 3rd session, cap 3), Mon 7; advance Tue 8.
    # P3 Tue/Fri, 48 h: Tue 8 is 1 day after Mon 7 -> Fri 11, Tue 15; advance Wed 16.
    # P4 Mon/Thu, 72 h: Thu 17 is 2 days after Tue 15 -> Mon 21, Thu 24; advance Fri 25.
    # P5 Tue/Fri: Fri 25, Tue 29; advance Wed 30 Dec. 1 + 2 + 2 + 2 + 2 = 9 sessions.
    pr = project_return(P, state(phase=1, banked=1, last_session=D(11, 30), week_sessions=1), TODAY)
    assert [b for _, _, b in pr.schedule] == [D(12, 3), D(12, 8), D(12, 16), D(12, 25), D(12, 30)]
    assert pr.earliest == D(12, 30) and pr.sessions_needed == 9
    assert pr.summary.startswith("earliest Wed 30 Dec, likely 30 Dec-")
    assert "1 clean in this stint so far, 1 to go" in pr.reasons[0]


def test_p2_on_the_athletes_own_days_after_training_today():
    # The athlete trains Tue/Thu/Sat and trained today (Tue 1, not clean: banked 0): the walk starts Wed 2.
    # P2 (no spacing): Thu 3, Sat 5; advance Sun 6.
    # P3 (48 h, cap 2): Tue 8, Thu 10; advance Fri 11.
    # P4 (72 h, cap 2): Sat 12 is 2 days after Thu 10 -> no; Tue 15 (5 days) yes; Thu 17 (2 days) no;
    #    Sat 19 (4 days) yes; advance Sun 20.
    # P5: Tue 22, Thu 24; advance (clearance) Fri 25 Dec. 8 sessions.
    pr = project_return(P, state(phase=2, training_days=(2, 4, 6), last_session=TODAY, week_sessions=1), TODAY)
    assert [(a, b) for _, a, b in pr.schedule] == [
        (D(12, 3), D(12, 6)), (D(12, 8), D(12, 11)), (D(12, 15), D(12, 20)), (D(12, 22), D(12, 25))]
    assert pr.earliest == D(12, 25) and pr.sessions_needed == 8
    assert "the athlete's training days Tue/Thu/Sat" in " ".join(pr.reasons)
    assert pr.reasons[0].endswith("2 sessions needed, 0 clean in this stint so far, 2 to go: sessions from Thu 3 Dec, advance Sun 6 Dec.")


def test_p3_spacing_and_weekly_cap_on_an_every_day_week():
    # The athlete trains every day; nothing logged yet this week.
    # P3 (48 h, cap 2): Tue 1, Thu 3 (week 49 now has 2: the cap); advance Fri 4.
    # P4 (72 h, cap 2): Sun 6 is 3 days after Thu 3 but week 49 is full -> Mon 7, Thu 10 (3 days); advance Fri 11.
    # P5 (no spacing, cap 3): Fri 11 (week 50's 3rd session: Mon, Thu, Fri), Sat 12 and Sun 13 over the cap
    #    -> Mon 14; advance (clearance) Tue 15 Dec. 6 sessions.
    pr = project_return(P, state(phase=3, training_days=(1, 2, 3, 4, 5, 6, 7)), TODAY)
    assert [(a, b) for _, a, b in pr.schedule] == [
        (D(12, 1), D(12, 4)), (D(12, 7), D(12, 11)), (D(12, 11), D(12, 15))]
    assert pr.earliest == D(12, 15)
    assert pr.summary.startswith("earliest Tue 15 Dec, likely 15-")
    assert pr.summary.endswith(": 6 more clean sessions")


def test_p4_waits_for_the_time_floor_of_a_grade_3_injury():
    # Grade 3a (21 days): injury Fri 20 Nov -> floor Fri 11 Dec.
    # P4 (banked 1, last Mon 30 Nov) Mon/Thu 72 h: Thu 3 (3 days); advance Fri 4.
    # P5 Tue/Fri: Fri 4 (week 49: Mon 30, Thu 3, Fri 4 = 3, the cap), Tue 8; advance Wed 9.
    # The floor, Fri 11 Dec, is later: the earliest is Fri 11 Dec.
    pr = project_return(P, state(phase=4, banked=1, grade=3, site="a", last_session=D(11, 30), week_sessions=1),
                        TODAY)
    assert [b for _, _, b in pr.schedule] == [D(12, 4), D(12, 9)]
    assert pr.floor_date == D(12, 11) and pr.earliest == D(12, 11)
    assert pr.likely_from >= D(12, 11)
    assert any(r.startswith("Time floor: 21 days after the injury on Fri 20 Nov") for r in pr.reasons)


def test_p5_one_session_from_clearance():
    # P5 banked 1 (last Fri 27 Nov); Tue 1 is a P5 day: session today, clearance decided Wed 2 Dec. 1 session.
    # No history: likely up to ceil(1 x 0.5) = 1 more: Fri 4 -> Sat 5.
    pr = project_return(P, state(phase=5, banked=1, last_session=D(11, 27)), TODAY)
    assert pr.schedule == ((5, D(12, 1), D(12, 2)),)
    assert pr.earliest == D(12, 2) and pr.sessions_needed == 1
    assert pr.summary == "earliest Wed 2 Dec, likely 2-5 Dec: 1 more clean session"


def test_a_tendon_injury_floor_of_28_days():
    # Site "c" (any grade): 28 days after Fri 20 Nov = Fri 18 Dec, after the walk's Wed 2 Dec.
    pr = project_return(P, state(phase=5, banked=1, grade=2, site="c", last_session=D(11, 27)), TODAY)
    assert pr.earliest == D(12, 18) and pr.likely_from == pr.likely_to == D(12, 18)


def test_p6_a_cleared_plan_projects_discharge():
    # Cleared Wed 25 Nov; P6 needs 4, 2 banked; trained today (Tue 1).
    # P6 Tue/Fri: Fri 4, Tue 8; sessions done, advance Wed 9 - but discharge needs 28 days since clearance:
    # Wed 25 Nov + 28 = Wed 23 Dec.
    pr = project_return(P, state(phase=6, banked=2, clearance_date=D(11, 25), last_session=TODAY,
                                 week_sessions=1), TODAY)
    assert pr.cleared and pr.target == "discharge" and pr.target_phase == 6
    assert pr.earliest == D(12, 23) and pr.floor_date == D(12, 23) and pr.sessions_needed == 2
    assert pr.summary == ("cleared on Wed 25 Nov; discharge earliest Wed 23 Dec, likely 23 Dec: "
                          "2 more clean sessions")


def test_p6_without_the_28_days_needs_only_the_sessions():
    # Cleared long ago (Mon 2 Nov + 28 = Mon 30 Nov, passed): Fri 4, Tue 8 -> Wed 9 Dec.
    pr = project_return(P, state(phase=6, banked=2, clearance_date=D(11, 2), last_session=TODAY), TODAY)
    assert pr.earliest == D(12, 9)


def test_a_red_flag_under_review_is_said_first():
    pr = project_return(P, state(phase=0, review_pending=True), TODAY)
    assert pr.reasons[0].startswith("A red flag waits for a clinician's review")
    assert pr.earliest == D(1, 6, 2027)  # the same walk as from scratch in P0


def test_a_discharged_plan_has_no_projection():
    assert project_return(P, state(phase=6, banked=4, completed=True), TODAY) is None


def test_history_moves_and_widens_the_likely_range():
    # P3 every day, 6 sessions (as above; earliest Tue 15 Dec).
    s = state(phase=3, training_days=(1, 2, 3, 4, 5, 6, 7))
    none = project_return(P, s, TODAY)
    clean = project_return(P, s, TODAY, History(clean=6, held=0))
    rough = project_return(P, s, TODAY, History(clean=4, held=3, regressions=0))
    regressed = project_return(P, s, TODAY, History(clean=4, held=3, regressions=1))
    # no history: 0 to ceil(6 x 0.5) = 3 extra sessions
    assert DEFAULT_RATE == 0.5 and none.sessions_likely == (6, 9)
    # a clean record: the likely range is the earliest day
    assert clean.sessions_likely == (6, 6) and clean.likely_from == clean.likely_to == D(12, 15)
    # 3 held for 4 clean: 0.75 a clean session; 6 x 0.75 = 4.5 -> floor(2.25) = 2 to ceil(6.75) = 7 extra
    assert rough.sessions_likely == (8, 13)
    # a regression costs the phase's 2 sessions: (3 + 2) / 4 = 1.25; 6 x 1.25 = 7.5 -> 3 to 12 extra
    assert regressed.sessions_likely == (9, 18)
    width = [(p.likely_to - p.likely_from).days for p in (clean, none, rough, regressed)]
    assert width == sorted(width) and width[0] == 0 and width[3] > width[1]
    assert regressed.likely_to > rough.likely_to > none.likely_to
    assert all(p.earliest == D(12, 15) for p in (none, clean, rough, regressed))
    assert "1 regression" in " ".join(regressed.reasons)


def test_too_little_history_uses_the_default():
    s = state(phase=3, training_days=(1, 2, 3, 4, 5, 6, 7))
    assert project_return(P, s, TODAY, History(clean=1, held=1)).sessions_likely == (6, 9)


def test_five_phase_protocol_clears_from_its_phase_3():
    # Five phases: clearance is P3. P1 needs 3 (3 sessions, 2 of them fast), Mon/Wed/Fri 48 h: Wed 2, Fri 4,
    # Mon 7; advance Tue 8. P2 Mon/Thu 72 h (efforts are a sum: 2 sessions): Thu 10, Mon 14; advance Tue 15.
    # P3 Tue/Fri, 2 full sessions: Tue 15, Fri 18; advance (clearance) Sat 19 Dec. 7 sessions.
    pr = project_return(FIVE, state(phase=1), TODAY)
    assert pr.target_phase == 3 == FIVE.clearance_phase
    assert [b for _, _, b in pr.schedule] == [D(12, 8), D(12, 15), D(12, 19)]
    assert pr.earliest == D(12, 19) and pr.sessions_needed == 7


def test_nine_phase_protocol_clears_from_its_phase_7():
    # Nine phases: P6 Mon/Thu 72 h needs 2: Thu 3, Mon 7; advance Tue 8. P7 (clearance) needs 3 (3 full
    # sessions), Tue/Fri: Tue 8, Fri 11, Tue 15; advance Wed 16 Dec.
    pr = project_return(NINE, state(phase=6), TODAY)
    assert pr.target_phase == 7 and [b for _, _, b in pr.schedule] == [D(12, 8), D(12, 16)]
    assert pr.earliest == D(12, 16) and pr.sessions_needed == 5


def test_a_protocol_without_a_clearance_phase_returns_at_discharge():
    data = copy.deepcopy(default_protocol_data())
    for ph in data["phases"]:
        ph["clearance"] = False
    data["phases"][6]["exit"].pop("min_days_since_rts")
    proto = protocol_from_dict(data)
    assert proto.clearance_phase is None
    # P5 banked 1 (last Fri 27 Nov): Tue 1 -> Wed 2; P6 Tue/Fri needs 4: Fri 4, Tue 8, Fri 11, Tue 15 -> Wed 16.
    pr = project_return(proto, state(phase=5, banked=1, last_session=D(11, 27)), TODAY)
    assert pr.target == "discharge" and not pr.cleared and pr.earliest == D(12, 16)
    assert "no clearance phase" in " ".join(pr.reasons)


def S(day, pain=0, soreness=0, **kw):
    return SessionInput(date=day, pain_during=pain, soreness_24h=soreness, **kw)


def test_clean_and_banked_sessions_read_the_phase_limits():
    p3 = P.phase(3)  # pain <= 1, soreness <= 2
    assert session_clean(p3, S(D(11, 20), pain=1, soreness=2))
    assert not session_clean(p3, S(D(11, 20), pain=2))
    assert not session_clean(p3, S(D(11, 20), soreness=None))
    assert not session_clean(p3, S(D(11, 20), red_flag=True))
    stint = [S(D(11, 20)), S(D(11, 24), pain=3), S(D(11, 27)), S(D(11, 30), soreness=None)]
    # Mon 30 Nov is waiting for its report (due Tue 1): counted provisionally; Tue 24 ended the run
    assert banked_sessions(P, 3, stint, TODAY) == 2
    # two days on, the report is overdue: the session no longer counts
    assert banked_sessions(P, 3, stint, D(12, 3)) == 0


@pytest.mark.parametrize("phase", range(7))
def test_every_phase_projects_and_the_range_is_ordered(phase):
    pr = project_return(P, state(phase=phase, clearance_date=D(11, 25) if phase == 6 else None), TODAY)
    assert pr.earliest <= pr.likely_from <= pr.likely_to
    assert pr.earliest > TODAY and pr.reasons
    assert pr.to_dict()["earliest"] == pr.earliest.isoformat()
