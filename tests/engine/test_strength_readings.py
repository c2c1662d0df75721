"""App-only extension: LSI readings that came without a session (assessments)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from progression.engine import Outcome, SessionInput, StrengthReading, evaluate

from .builders import PROTOCOL, TODAY, D, clean_context, clean_stint, day, decide, reason


def _no_lsi(phase):
    hist = clean_stint(phase)
    out = []
    for s in hist:
        fields = {n: getattr(s, n) for n in SessionInput.__slots__}
        fields["strength_lsi"] = None
        out.append(SessionInput(**fields))
    return out


def run(phase, hist, readings):
    return evaluate(
        PROTOCOL,
        phase=phase,
        history=hist,
        today=TODAY,
        context=clean_context(phase),
        strength_readings=readings,
    )


def test_reading_converts_numbers():
    r = StrengthReading(date=day(1), lsi=83.3, method="iso90", ref="assessment:1")
    assert r.lsi == Decimal("83.3") and r.strength_lsi == r.lsi and r.strength_method == "iso90"
    with pytest.raises(ValueError):
        StrengthReading(date=day(1), lsi=None)


@pytest.mark.parametrize("phase", range(1, 7))
@pytest.mark.parametrize("age,counts", [(0, True), (7, True), (8, False)])
def test_assessment_reading_counts_for_the_window(phase, age, counts):
    hist = _no_lsi(phase)
    assert decide(phase, hist).decided_by == "rule.missing_data"
    d = run(phase, hist, [StrengthReading(date=day(age), lsi=D(100), ref="assessment:7")])
    if counts:
        assert d.outcome is Outcome.ADVANCE
        assert reason(d, "exit.min_lsi").values["ref"] == "assessment:7"
    else:
        assert d.decided_by == "rule.missing_data"


def test_assessment_drop_against_session_reading_same_method():
    hist = clean_stint(
        3, first={"strength_lsi": D(105), "strength_method": "iso90"}, latest={"strength_lsi": None}
    )
    d = run(3, hist, [StrengthReading(date=day(0), lsi=D(95), method="iso90", ref="assessment:3")])
    assert d.decided_by == "rule.strength_falling"
    f = reason(d, "rule.strength_falling").values["findings"][0]
    assert (f["ref"], f["branch"], f["drop"]) == ("assessment:3", "drop_from_best", D(10))
    d = run(3, hist, [StrengthReading(date=day(0), lsi=D(95), method="nordic")])
    assert d.outcome is Outcome.ADVANCE  # other method: not compared


def test_assessment_below_entry_level():
    d = run(4, clean_stint(4), [StrengthReading(date=day(0), lsi=D(85))])
    assert d.decided_by == "rule.strength_falling"  # 90 - 85 = 5 below P4's entry level


def test_same_day_assessment_is_the_most_recent():
    hist = clean_stint(2, latest={"strength_lsi": D(90)})
    latest_date = hist[-1].date
    d = run(2, hist, [StrengthReading(date=latest_date, lsi=D(84))])
    assert d.decided_by == "exit.min_lsi"
    assert reason(d, "exit.min_lsi").values["lsi"] == D(84)


def test_no_readings_same_as_default():
    hist = clean_stint(5)
    assert run(5, hist, []) == decide(5, hist) == run(5, hist, ())
