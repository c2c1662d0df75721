"""The week prescription: default days, ISO week dates, target speeds and splits, warnings."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from progression.engine import (
    default_protocol_data,
    load_default_protocol,
    protocol_from_dict,
    week_prescription,
)
from progression.engine.prescription import default_training_days

D = Decimal
P = load_default_protocol()

DEFAULT_DAYS = {0: (1, 3, 5), 1: (1, 3, 5), 2: (1, 3, 5), 3: (2, 5), 4: (1, 4), 5: (2, 5), 6: (2, 5)}
FOCUS = {
    0: "Phase 0: protected loading, no running",
    1: "Phase 1: technique and low-speed running",
    2: "Phase 2: accelerations and strides",
    3: "Phase 3: higher speeds",
    4: "Phase 4: maximal velocity",
    5: "Phase 5: sport-specific and race-pace running",
    6: "Phase 6: return-to-performance surveillance",
}


def item(week, name, day_index=0):
    for it in week.days[day_index].items:
        if it.name == name:
            return it
    raise AssertionError(f"{name} not on day {day_index}: {[i.name for i in week.days[day_index].items]}")


@pytest.mark.parametrize("phase", range(7))
def test_default_days_and_focus(phase):
    w = week_prescription(P, phase=phase, iso_year=2026, iso_week=10)
    assert w.training_days == DEFAULT_DAYS[phase]
    assert tuple(d.weekday for d in w.days) == DEFAULT_DAYS[phase]
    assert w.focus == FOCUS[phase]
    assert w.warnings == ()
    assert w.phase == phase and w.phase_name == P.phase(phase).name
    # the default days respect the phase's own spacing
    ph = P.phase(phase)
    assert ph.sessions_per_week_min <= len(w.days) <= ph.sessions_per_week_max


@pytest.mark.parametrize("phase", range(7))
def test_strength_and_conditioning_in_every_phase(phase):
    w = week_prescription(P, phase=phase, iso_year=2026, iso_week=10)
    names = {i.name for d in w.days for i in d.items}
    blocks = {i.block for d in w.days for i in d.items}
    assert "Romanian deadlift" in names
    assert "Glute bridge" in names
    assert "Core and pelvic control" in names
    assert "Staged plyometrics" in names
    assert any("Nordic" in n for n in names)
    assert {"strength", "plyometric"} <= blocks


def test_iso_week_dates():
    w = week_prescription(P, phase=4, iso_year=2026, iso_week=10)
    assert [d.date for d in w.days] == [datetime.date(2026, 3, 2), datetime.date(2026, 3, 5)]
    assert [d.weekday_name for d in w.days] == ["Monday", "Thursday"]
    w = week_prescription(P, phase=1, iso_year=2026, iso_week=1)
    assert w.days[0].date == datetime.date(2025, 12, 29)  # ISO week 1 of 2026 starts in 2025
    w = week_prescription(P, phase=1, iso_year=2026, iso_week=53)  # 2026 has 53 ISO weeks
    assert w.days[-1].date == datetime.date(2027, 1, 1)
    with pytest.raises(ValueError):
        week_prescription(P, phase=1, iso_year=2025, iso_week=53)  # 2025 has 52


def test_p1_template_text_faithful():
    w = week_prescription(P, phase=1, iso_year=2026, iso_week=10)
    tempo = item(w, "Tempo runs")
    assert (tempo.block, tempo.reps, tempo.distance_m) == ("sprint", "6-8", "60-80")
    assert (tempo.intensity_pct_min, tempo.intensity_pct_max) == (50, 60)
    assert tempo.notes == "walk-back recovery"
    assert tempo.description == "tempo runs 6-8 x 60-80 m at 50-60%, walk-back recovery"
    drills = item(w, "A-march, A-skip, ankling, wall drills")
    assert (drills.block, drills.reps, drills.distance_m) == ("drill", "2-3", "20")


def test_targets_and_splits_when_vmax_known():
    w = week_prescription(P, phase=1, iso_year=2026, iso_week=10, vmax_mps=D("9.00"))
    tempo = item(w, "Tempo runs")
    assert (tempo.target_speed_mps_min, tempo.target_speed_mps_max) == (D("4.50"), D("5.40"))
    assert [(s.distance_m, s.split_s_min, s.split_s_max) for s in tempo.splits] == [
        (60, D("11.11"), D("13.33")),
        (80, D("14.81"), D("17.78")),
    ]
    assert (
        item(w, "A-march, A-skip, ankling, wall drills").target_speed_mps_min is None
    )  # no intensity: no target


def test_flying_sprint_split_is_the_fly_zone():
    w = week_prescription(P, phase=4, iso_year=2026, iso_week=10, vmax_mps=10)
    fly = item(w, "Flying sprints")
    assert (fly.build_m, fly.fly_m, fly.distance_m) == ("20-30", "10-20", None)
    assert (fly.target_speed_mps_min, fly.target_speed_mps_max) == (D("9.00"), D("10.00"))
    assert [(s.distance_m, s.split_s_min, s.split_s_max) for s in fly.splits] == [
        (10, D("1.00"), D("1.11")),
        (20, D("2.00"), D("2.22")),
    ]
    assert fly.split_s == "1.00-1.11 s over 10 m; 2.00-2.22 s over 20 m"
    assert (fly.rest_s_min, fly.rest_s_max) == (180, 240)


def test_stride_split_is_the_hold_zone():
    w = week_prescription(P, phase=2, iso_year=2026, iso_week=10, vmax_mps=D(8))
    strides = item(w, "Strides")
    assert (strides.target_speed_mps_min, strides.target_speed_mps_max) == (D("5.60"), D("6.00"))
    assert [(s.distance_m, s.split_s_min, s.split_s_max) for s in strides.splits] == [
        (20, D("3.33"), D("3.57"))
    ]


@pytest.mark.parametrize("phase", range(7))
def test_no_targets_when_vmax_unknown(phase):
    w = week_prescription(P, phase=phase, iso_year=2026, iso_week=10)
    for d in w.days:
        for it in d.items:
            assert it.target_speed_mps_min is None and it.target_speed_mps_max is None and it.splits == ()
            assert it.split_s is None


@pytest.mark.parametrize(
    "phase,days,fragment",
    [
        (4, [4, 5], "Thursday and Friday are 24 h apart; at least 72 h"),
        (4, [1, 3], "Monday and Wednesday are 48 h apart; at least 72 h"),
        (4, [1, 7], "Sunday and Monday (into next week) are 24 h apart"),
        (
            1,
            [1, 2, 4],
            "Monday and Tuesday are 24 h apart; at least 48 h are needed between sessions (not on consecutive days)",
        ),
        (3, [2, 3], "Tuesday and Wednesday are 24 h apart; at least 48 h"),
        (3, [1, 3, 5], "3 training days chosen; Phase 3 plans 2 sessions a week."),
        (6, [3], "1 training day chosen; Phase 6 plans 2-4 sessions a week."),
    ],
)
def test_days_breaking_the_spacing_give_warnings(phase, days, fragment):
    w = week_prescription(P, phase=phase, iso_year=2026, iso_week=10, training_days=days)
    assert any(fragment in x for x in w.warnings), w.warnings
    assert tuple(d.weekday for d in w.days) == tuple(sorted(days))  # never refused


@pytest.mark.parametrize(
    "phase,days", [(4, [1, 4]), (4, [2, 5]), (3, [1, 3]), (1, [2, 4, 6]), (6, [1, 2, 3, 4])]
)
def test_days_within_the_spacing_give_no_warning(phase, days):
    assert week_prescription(P, phase=phase, iso_year=2026, iso_week=10, training_days=days).warnings == ()


@pytest.mark.parametrize("days", [[0], [8], [1, 1], [True], ["1"]])
def test_invalid_days_are_refused(days):
    with pytest.raises(ValueError):
        week_prescription(P, phase=1, iso_year=2026, iso_week=10, training_days=days)


def test_p6_items_by_session():
    w = week_prescription(P, phase=6, iso_year=2026, iso_week=10)
    first = {i.name for i in w.days[0].items}
    second = {i.name for i in w.days[1].items}
    assert "Maximal-velocity exposure" in first and "Maximal-velocity exposure" not in second
    assert "Nordic / long-length strength" in second and "Nordic / long-length strength" not in first
    assert "Strength check (LSI)" in first
    # with a single day, the second session's items fold into it
    w = week_prescription(P, phase=6, iso_year=2026, iso_week=10, training_days=[3])
    names = {i.name for i in w.days[0].items}
    assert {"Maximal-velocity exposure", "Nordic / long-length strength"} <= names


def test_derived_default_days_without_default_days_in_data():
    data = default_protocol_data()
    for ph in data["phases"]:
        ph.pop("default_days", None)
    p = protocol_from_dict(data)
    got = {n: default_training_days(p.phase(n)) for n in range(7)}
    assert got[1] == (1, 3, 5)  # 3 not on consecutive days
    assert got[4] == (1, 4)  # 2, >= 72 h apart
    assert got[3] == (1, 4)  # 2, >= 48 h apart: most even spread
    assert got[0] == (1, 3, 5)
    for n, days in got.items():
        w = week_prescription(p, phase=n, iso_year=2026, iso_week=10, training_days=days)
        assert w.warnings == ()


def test_to_dict_is_json():
    w = week_prescription(P, phase=4, iso_year=2026, iso_week=10, vmax_mps=D("9.5"))
    out = json.loads(json.dumps(w.to_dict()))
    assert out["focus"] == "Phase 4: maximal velocity"
    assert out["days"][0]["date"] == "2026-03-02"
    fly = next(i for i in out["days"][0]["items"] if i["name"] == "Flying sprints")
    assert fly["target_speed_mps_min"] == 8.55 and fly["splits"][0] == {
        "distance_m": 10,
        "split_s_min": 1.05,
        "split_s_max": 1.17,
    }


def test_vmax_must_be_positive():
    with pytest.raises(ValueError):
        week_prescription(P, phase=2, iso_year=2026, iso_week=10, vmax_mps=0)
