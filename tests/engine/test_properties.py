"""Property-based tests over generated valid stints (hypothesis)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progression.engine import Context, Outcome, SessionInput, evaluate, load_default_protocol

P = load_default_protocol()
START = datetime.date(2026, 1, 5)

SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


phases = st.integers(0, 6)


def dec(lo, hi, places=1):
    return st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False, allow_infinity=False)


def opt(s):
    return st.one_of(st.none(), s)


@st.composite
def stints(draw, min_size=1, max_size=6):
    n = draw(st.integers(min_size, max_size))
    gaps = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    sessions = []
    day = START
    for i in range(n):
        day = day + datetime.timedelta(days=gaps[i])
        sessions.append(
            SessionInput(
                date=day,
                pain_during=draw(st.integers(0, 10)),
                soreness_24h=draw(opt(st.integers(0, 10))),
                strength_lsi=draw(opt(dec(50, 130))),
                strength_method=draw(st.sampled_from([None, None, "iso90", "nordic"])),
                technique=draw(opt(dec(0, 100))),
                technique_fresh=draw(opt(dec(0, 100))),
                technique_fatigued=draw(opt(dec(0, 100))),
                rpe=draw(opt(dec(0, 10))),
                minutes=draw(opt(dec(0, 120, 0))),
                peak_speed_pct=draw(opt(dec(50, 120))),
                efforts_95=draw(opt(st.integers(0, 5))),
                full_session=draw(st.booleans()),
                red_flag=draw(st.sampled_from([False] * 9 + [True])),
                apprehension=draw(opt(dec(0, 100))),
            )
        )
    return sessions


@st.composite
def mild_stints(draw):
    """Stints that usually get far into the rules: low pain, mostly clean."""
    n = draw(st.integers(1, 6))
    sessions = []
    for i in range(n):
        sessions.append(
            SessionInput(
                date=START + datetime.timedelta(days=2 * i),
                pain_during=draw(st.integers(0, 3)),
                soreness_24h=draw(st.one_of(st.integers(0, 3), st.none())),
                strength_lsi=draw(opt(dec(84, 100))),
                technique=draw(opt(dec(55, 100))),
                peak_speed_pct=draw(opt(dec(80, 105))),
                efforts_95=draw(opt(st.integers(0, 3))),
                full_session=draw(st.booleans()),
                apprehension=draw(st.sampled_from([None, Decimal(0), Decimal(0), Decimal(5)])),
            )
        )
    return sessions


@st.composite
def near_clean(draw):
    """(phase, stint): a clean, advancing stint of the phase with a few random tweaks."""
    from .builders import clean_stint

    phase = draw(phases)
    n = P.phase(phase).min_sessions + draw(st.integers(0, 2))
    hist = clean_stint(phase, n=n)
    tweaks = draw(st.integers(0, 2))
    for _ in range(tweaks):
        i = draw(st.integers(0, len(hist) - 1))
        field, value = draw(
            st.sampled_from(
                [
                    ("pain_during", st.integers(0, 4)),
                    ("soreness_24h", opt(st.integers(0, 4))),
                    ("strength_lsi", opt(dec(80, 100))),
                    ("technique", opt(dec(55, 100))),
                    ("peak_speed_pct", opt(dec(80, 100))),
                    ("apprehension", opt(dec(0, 2, 0))),
                    ("technique_fresh", opt(dec(80, 100))),
                    ("technique_fatigued", opt(dec(50, 100))),
                ]
            ).flatmap(lambda fv: st.tuples(st.just(fv[0]), fv[1]))
        )
        fields = {name: getattr(hist[i], name) for name in SessionInput.__slots__}
        fields[field] = value
        hist[i] = SessionInput(**fields)
    return phase, hist


contexts = st.builds(
    Context,
    acwr=opt(dec(0, 3, 2)),
    load_pct=opt(dec(50, 130)),
    days_since_rts=opt(st.integers(0, 60)),
    review_pending=st.booleans(),
)
any_stint = st.one_of(stints(), mild_stints())


@st.composite
def cases(draw):
    """(phase, stint, today): random stints, mild stints, or near-clean stints of the phase."""
    if draw(st.booleans()):
        phase, hist = draw(near_clean())
    else:
        phase, hist = draw(phases), draw(any_stint)
    return phase, hist, hist[-1].date + datetime.timedelta(days=draw(st.integers(0, 9)))


def _today(hist, extra):
    return hist[-1].date + datetime.timedelta(days=extra)


@SETTINGS
@given(case=cases(), ctx=contexts)
def test_never_advance_when_latest_soreness_missing(case, ctx):
    phase, hist, today = case
    extra = (today - hist[-1].date).days
    hist = hist[:-1] + [SessionInput(date=hist[-1].date, pain_during=hist[-1].pain_during, soreness_24h=None)]
    d = evaluate(P, phase=phase, history=hist, today=_today(hist, extra), context=ctx)
    assert d.outcome is not Outcome.ADVANCE


@SETTINGS
@given(case=cases(), ctx=contexts, where=st.integers(0, 5), kind=st.integers(0, 2))
def test_red_flag_always_regresses_to_p0_and_refers(case, ctx, where, kind):
    phase, hist, today = case
    extra = (today - hist[-1].date).days
    i = where % len(hist)
    s = hist[i]
    change = [{"red_flag": True}, {"pain_during": 7}, {"soreness_24h": 9}][kind]
    fields = {name: getattr(s, name) for name in SessionInput.__slots__}
    fields.update(change)
    hist = hist[:i] + [SessionInput(**fields)] + hist[i + 1 :]
    d = evaluate(P, phase=phase, history=hist, today=_today(hist, extra), context=ctx)
    assert (d.outcome, d.to_phase, d.refer, d.decided_by) == (Outcome.REGRESS, 0, True, "rule.red_flag")


@SETTINGS
@given(case=cases(), ctx=contexts)
def test_decision_invariants(case, ctx):
    phase, hist, today = case
    d = evaluate(P, phase=phase, history=hist, today=today, context=ctx)
    # deterministic
    again = evaluate(P, phase=phase, history=tuple(hist), today=today, context=ctx)
    assert again == d
    assert again.to_dict() == d.to_dict()
    assert d.from_phase == phase
    if d.to_phase is None:
        assert d.outcome is Outcome.ADVANCE and phase == 6
    else:
        assert 0 <= d.to_phase <= 6
        assert d.to_phase <= phase + 1  # never more than one phase forward
    if d.outcome is Outcome.REGRESS:
        assert d.to_phase <= phase  # a regression never increases the phase
        assert d.to_phase < phase or phase == 0 or d.to_phase == 0
    if d.outcome is Outcome.HOLD:
        assert d.to_phase == phase
    if d.outcome is Outcome.ADVANCE:
        assert not ctx.review_pending
        assert d.to_phase == (phase + 1 if phase < 6 else None)
        assert hist[-1].soreness_24h is not None
    if d.refer:
        assert d.outcome is Outcome.REGRESS
    # the explanation: rules in order 1..k, the last rule is the decider (or the gate follows)
    rules = [r for r in d.reasons if r.kind == "rule"]
    assert [r.number for r in rules] == list(range(1, len(rules) + 1))
    assert all(r.status == "clear" for r in rules[:-1])
    assert rules[-1].status == "fired"
    if rules[-1].number == 10:
        crits = [r for r in d.reasons if r.kind == "criterion"]
        assert len(crits) == len(P.phase(phase).exit)
        assert (d.outcome is Outcome.ADVANCE or d.decided_by == "review_pending") == all(
            r.status != "not_met" for r in crits
        )
    d.to_dict()


@SETTINGS
@given(case=cases(), ctx=contexts)
def test_advance_means_every_criterion_met(case, ctx):
    phase, hist, today = case
    d = evaluate(P, phase=phase, history=hist, today=today, context=ctx)
    if d.outcome is Outcome.ADVANCE:
        assert all(r.status in ("met", "not_applicable") for r in d.reasons if r.kind == "criterion")
        assert len(hist) >= P.phase(phase).min_sessions
        assert all(s.soreness_24h is not None for s in hist[-P.phase(phase).min_sessions :])


@SETTINGS
@given(case=cases(), ctx=contexts)
def test_review_pending_never_advances(case, ctx):
    phase, hist, today = case
    pending = Context(
        acwr=ctx.acwr, load_pct=ctx.load_pct, days_since_rts=ctx.days_since_rts, review_pending=True
    )
    free = Context(
        acwr=ctx.acwr, load_pct=ctx.load_pct, days_since_rts=ctx.days_since_rts, review_pending=False
    )
    d = evaluate(P, phase=phase, history=hist, today=today, context=pending)
    assert d.outcome is not Outcome.ADVANCE
    d_free = evaluate(P, phase=phase, history=hist, today=today, context=free)
    if d_free.outcome is Outcome.ADVANCE:
        assert (d.outcome, d.to_phase, d.decided_by) == (Outcome.HOLD, phase, "review_pending")
    else:
        assert d == d_free  # the gate changes nothing else


@SETTINGS
@given(case=cases(), ctx=contexts)
def test_regress_and_refer_invariants(case, ctx):
    phase, hist, today = case
    d = evaluate(P, phase=phase, history=hist, today=today, context=ctx)
    if d.outcome is Outcome.REGRESS:
        assert d.to_phase == (0 if d.decided_by == "rule.red_flag" else max(0, phase - 1))
        assert d.refer is (d.decided_by == "rule.red_flag" or phase == 6)
