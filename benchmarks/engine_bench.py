"""Throughput of the progression engine's evaluate() on one core (no Django).

    python benchmarks/engine_bench.py [--seconds 3] [--seed 1]

Builds a realistic mix of decisions (every phase 0-6, stints of 2-6 sessions;
some clean and advancing, some holding, some regressing), runs evaluate() in a
loop for a few seconds pinned to one core where the OS allows it, and prints
decisions per second, microseconds per decision and the outcome mix. Then it
times the sample scenario file (shared/scenarios/sample.json) the same way.
Target: at least 20,000 decisions per second.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from progression.engine import (  # noqa: E402
    Context,
    SessionInput,
    evaluate,
    load_default_protocol,
    parse_scenario_document,
)

TODAY = datetime.date(2026, 3, 20)


def _clean_session(phase: int, day: datetime.date, rng: random.Random) -> dict:
    pain_max = 2 if phase <= 2 else (1 if phase == 3 else 0)
    sore_max = 2 if phase <= 3 else 1
    s = {
        "date": day,
        "pain_during": rng.randint(0, pain_max),
        "soreness_24h": rng.randint(0, sore_max),
        "rpe": Decimal(rng.randint(3, 7)),
        "minutes": Decimal(rng.choice((30, 40, 45, 60))),
    }
    if phase >= 1:
        s["strength_lsi"] = Decimal(str(round(rng.uniform(92, 99), 1)))
        s["technique"] = Decimal(str(round(rng.uniform(80, 95), 1)))
    if phase >= 3:
        s["peak_speed_pct"] = Decimal(rng.choice((88, 92, 96, 98)))
    if phase == 4:
        s["efforts_95"] = rng.randint(1, 3)
        s["apprehension"] = Decimal(0)
    if phase == 5:
        s["full_session"] = True
        s["apprehension"] = Decimal(0)
    if rng.random() < 0.3:
        fresh = Decimal(str(round(rng.uniform(80, 95), 1)))
        s["technique_fresh"] = fresh
        s["technique_fatigued"] = fresh - Decimal(rng.randint(0, 15))
    return s


def _pain_3_4(phase, sessions, ctx, rng):
    sessions[-1]["pain_during"] = rng.choice((3, 4))


def _missing_soreness(phase, sessions, ctx, rng):
    sessions[-1]["soreness_24h"] = None


def _load_spike(phase, sessions, ctx, rng):
    ctx["acwr"] = Decimal(rng.choice(("1.6", "2.1")))


def _criterion_short(phase, sessions, ctx, rng):
    if phase >= 1:
        sessions[-1]["strength_lsi"] = Decimal("78.5") if phase <= 2 else Decimal("88")
    else:
        sessions[0]["pain_during"] = 3  # above P0's pain limit, on an earlier session


def _pain_5(phase, sessions, ctx, rng):
    rng.choice(sessions)["pain_during"] = 5


def _soreness_pair(phase, sessions, ctx, rng):
    if len(sessions) >= 2:
        sessions[-2]["soreness_24h"] = 3
        sessions[-1]["soreness_24h"] = 3


def _strength_drop(phase, sessions, ctx, rng):
    if phase >= 1:
        sessions[0]["strength_lsi"] = Decimal("99")
        sessions[-1]["strength_lsi"] = Decimal("88.5")


def _red_flag(phase, sessions, ctx, rng):
    rng.choice(sessions)["red_flag"] = True


# kind -> (weight in the mix, how it changes a clean stint)
KINDS = {
    "clean": (45, None),
    "pain_3_4": (10, _pain_3_4),
    "missing_soreness": (10, _missing_soreness),
    "load_spike": (5, _load_spike),
    "criterion_short": (10, _criterion_short),
    "pain_5": (8, _pain_5),
    "soreness_pair": (5, _soreness_pair),
    "strength_drop": (4, _strength_drop),
    "red_flag": (3, _red_flag),
}


_POOL = [kind for kind, (weight, _) in KINDS.items() for _ in range(weight)]


def _case(rng: random.Random) -> tuple[int, tuple[SessionInput, ...], datetime.date, Context, str]:
    phase = rng.randint(0, 6)
    length = rng.randint(2, 6)
    if phase == 6:
        length = max(length, 4)
    kind = rng.choice(_POOL)
    start = TODAY - datetime.timedelta(days=2 * length)
    sessions = [_clean_session(phase, start + datetime.timedelta(days=2 * i), rng) for i in range(length)]
    ctx = {"days_since_rts": 30} if phase == 6 else {}
    if phase == 5 and rng.random() < 0.5:
        ctx["load_pct"] = Decimal(rng.choice((85, 92, 100)))
    change = KINDS[kind][1]
    if change is not None:
        change(phase, sessions, ctx, rng)
    if "acwr" not in ctx and rng.random() < 0.5:
        ctx["acwr"] = Decimal(str(round(rng.uniform(0.8, 1.3), 2)))
    hist = tuple(SessionInput(**s) for s in sessions)
    return (phase, hist, TODAY, Context(**ctx), kind)


def build_mix(n: int, seed: int) -> list[tuple[int, tuple[SessionInput, ...], datetime.date, Context, str]]:
    """``n`` decisions of every phase: mostly clean stints, some holding, some regressing (seeded)."""
    rng = random.Random(seed)
    return [_case(rng) for _ in range(n)]


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            cpu = min(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpu})
            return f"pinned to CPU {cpu}"
        except OSError as e:  # pragma: no cover
            return f"not pinned ({e})"
    return "not pinned (no sched_setaffinity)"


def bench(protocol, cases, seconds: float) -> tuple[int, float]:
    # warm-up
    for phase, hist, today, ctx, _ in cases[:200]:
        evaluate(protocol, phase=phase, history=hist, today=today, context=ctx)
    done = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        for phase, hist, today, ctx, _ in cases:
            evaluate(protocol, phase=phase, history=hist, today=today, context=ctx)
        done += len(cases)
        now = time.perf_counter()
        if now >= deadline:
            return done, now - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=2000)
    args = ap.parse_args(argv)

    print(pin_one_core())
    protocol = load_default_protocol()
    cases = build_mix(args.cases, args.seed)

    outcomes = Counter()
    phases = Counter()
    lengths = Counter()
    kinds = Counter()
    for phase, hist, today, ctx, kind in cases:
        d = evaluate(protocol, phase=phase, history=hist, today=today, context=ctx)
        outcomes[d.outcome.value] += 1
        phases[phase] += 1
        lengths[len(hist)] += 1
        kinds[kind] += 1
    print(f"mix: {len(cases)} decisions")
    print("  outcomes:", dict(sorted(outcomes.items())))
    print("  phases:  ", dict(sorted(phases.items())))
    print("  sessions:", dict(sorted(lengths.items())))
    print("  kinds:   ", dict(sorted(kinds.items())))

    done, elapsed = bench(protocol, cases, args.seconds)
    rate = mix_rate = done / elapsed
    print(
        f"evaluate(): {done} decisions in {elapsed:.2f} s = {rate:,.0f} decisions/s, {1e6 / rate:.1f} us/decision"
    )

    sample = ROOT.parent / "shared" / "scenarios" / "sample.json"
    if sample.exists():
        doc = parse_scenario_document(sample.read_text(encoding="utf-8"))
        sc_cases = [(s.phase, s.history, s.today, s.context, s.id) for s in doc.scenarios]
        done, elapsed = bench(protocol, sc_cases, min(args.seconds, 2.0))
        rate = done / elapsed
        print(
            f"sample.json ({len(sc_cases)} scenarios): {rate:,.0f} decisions/s, {1e6 / rate:.1f} us/decision; "
            f"whole file {1e6 * len(sc_cases) / rate:.0f} us"
        )
    else:
        print(f"sample.json not found at {sample}")
    return 0 if mix_rate >= 20000 else 1


if __name__ == "__main__":
    sys.exit(main())
