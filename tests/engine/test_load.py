"""Load metrics (Foster sRPE, EWMA ACWR) and the soft time floors."""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from progression.engine import (
    daily_loads,
    default_protocol_data,
    ewma_acwr,
    load_default_protocol,
    protocol_acwr,
    protocol_from_dict,
    session_load,
    time_floor_days,
)

D = Decimal
P = load_default_protocol()


def test_session_load_is_rpe_times_minutes():
    assert session_load(5, 40) == D(200)
    assert session_load(6.5, 45.5) == D("295.75")  # floats go through str(): exact
    assert session_load(D("7"), D("0")) == 0
    assert session_load(None, 40) is None
    assert session_load(5, None) is None


def test_daily_loads_sums_per_day_and_zero_on_rest_days():
    d0 = datetime.date(2026, 3, 1)
    sessions = [
        (d0 + datetime.timedelta(days=1), D(200)),
        (d0 + datetime.timedelta(days=1), D(100)),
        (d0 + datetime.timedelta(days=3), D("50.5")),
        (d0 - datetime.timedelta(days=1), D(999)),  # before the range: ignored
        (d0 + datetime.timedelta(days=9), D(999)),  # after: ignored
        (d0 + datetime.timedelta(days=2), None),  # no load recorded
    ]
    assert daily_loads(sessions, d0, d0 + datetime.timedelta(days=4)) == [0, 300, 0, D("50.5"), 0]
    assert daily_loads([], d0, d0) == [0]
    assert daily_loads(sessions, d0, d0 - datetime.timedelta(days=1)) == []


def _reference(loads, acute_n, chronic_n, start):
    la, lc = Fraction(2, acute_n + 1), Fraction(2, chronic_n + 1)
    a = c = Fraction(start)
    for x in loads:
        a = la * Fraction(x) + (1 - la) * a
        c = lc * Fraction(x) + (1 - lc) * c
    return a / c


def _close(dec, frac, places=20):
    return abs(Fraction(dec) - frac) < Fraction(1, 10**places)


def test_ewma_matches_a_reference_computation():
    loads = [D(100)] * 21 + [D(300)]
    r = ewma_acwr(loads)
    assert _close(r, Fraction(4350, 3300))  # acute 150, chronic 3300/29
    loads = [D(x) for x in (200, 0, 0, 350, 0, 250, 0) * 4]
    assert _close(ewma_acwr(loads), _reference(loads, 7, 28, loads[0]))


def test_ewma_lambda_is_2_over_n_plus_1():
    # one day after a constant history: acute moves by 2/8 of the jump, chronic by 2/29
    loads = [D(0)] * 0 + [D(100)] * 30 + [D(200)]
    r = ewma_acwr(loads)
    acute = Fraction(100) + Fraction(2, 8) * 100
    chronic = Fraction(100) + Fraction(2, 29) * 100
    assert _close(r, acute / chronic)


def test_acwr_none_before_21_days_without_baseline():
    assert ewma_acwr([D(100)] * 20) is None
    assert ewma_acwr([D(100)] * 21) == 1
    assert ewma_acwr([]) is None


def test_acwr_baseline_start():
    loads = [D(0), D(0), D(300)]
    r = ewma_acwr(loads, baseline_daily=D(100))
    assert r is not None  # a baseline allows the ratio before 21 days
    assert _close(r, _reference(loads, 7, 28, 100))
    # starting from the baseline differs from starting from the first day's load
    assert ewma_acwr([D(100)] * 25, baseline_daily=D(50)) != 1


def test_acwr_undefined_while_chronic_is_zero():
    assert ewma_acwr([D(0)] * 30) is None
    assert ewma_acwr([D(0)] * 5, baseline_daily=D(0)) is None


def test_acwr_parameters_from_protocol_data():
    data = default_protocol_data()
    data["load"].update(acute_n=3, chronic_n=10, min_days=5)
    p = protocol_from_dict(data)
    loads = [D(x) for x in (100, 0, 200, 50, 400)]
    assert _close(protocol_acwr(p, loads), _reference(loads, 3, 10, 100))
    assert protocol_acwr(p, loads[:4]) is None
    assert ewma_acwr(loads, acute_n=3, chronic_n=10, min_days=5) == protocol_acwr(p, loads)
    # defaults are the default protocol's (7, 28, 21)
    long = [D(x) for x in (100, 0, 200, 50, 400, 0, 0) * 3]
    assert ewma_acwr(long) == protocol_acwr(P, long) == ewma_acwr(long, acute_n=7, chronic_n=28, min_days=21)


def test_acwr_independent_of_caller_decimal_context():
    loads = [D(x) for x in (200, 0, 0, 350, 0, 250, 0) * 4]
    want = ewma_acwr(loads)
    with localcontext() as ctx:
        ctx.prec = 5
        assert ewma_acwr(loads) == want


FLOORS = [
    (0, None, 7),
    (0, "a", 7),
    (0, "b", 7),
    (1, None, 7),
    (1, "a", 7),
    (1, "b", 7),
    (1, "c", 28),
    (2, "a", 14),
    (2, "b", 14),
    (2, None, 14),
    (2, "c", 28),
    (3, "a", 21),
    (3, "b", 21),
    (3, "c", 28),
    (4, None, 28),
    (4, "c", 28),
]


@pytest.mark.parametrize("grade,site,days", FLOORS)
def test_time_floor_days(grade, site, days):
    assert time_floor_days(P, grade=grade, site=site) == days


@pytest.mark.parametrize("grade,site", [(5, None), (-1, None), (2, "d"), (True, None), ("2", "a")])
def test_time_floor_rejects_bad_grade_or_site(grade, site):
    with pytest.raises(ValueError):
        time_floor_days(P, grade=grade, site=site)


def test_time_floors_come_from_data():
    data = default_protocol_data()
    data["time_floors"]["floors"][2]["days"] = 16
    assert time_floor_days(protocol_from_dict(data), grade=2, site="a") == 16
