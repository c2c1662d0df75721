"""Generate the golden corpus: engine inputs and the decisions the engine takes on them.

    .venv/bin/python tests/engine/golden/generate.py          # writes tests/engine/golden/decisions.json.gz
    .venv/bin/python tests/engine/golden/generate.py --check  # compares instead of writing (exit 1 on a difference)

The corpus was generated with the engine as it stood before the rule vocabulary (commit ab18552) and must not be
regenerated to make a change pass: ``tests/engine/test_golden.py`` replays every case through the engine of the
day and requires identical ``Decision.to_dict()`` output. Regenerate it only in a commit that changes a reason's
wording on purpose, and say why in that commit.

Every case stores its inputs in full (the protocol by name, the sessions, readings, context and day), so the replay
does not depend on this generator. The mix, from one seeded random generator:

* every phase of the default protocol (``protocols/hamstring-rts-as-stored.json``: the file as it was) and of five
  clinic copies (other numbers; rules dropped and reordered;
  other criterion scopes and criteria in other phases; a four-phase copy; a copy with tight bands);
* clean, advancing stints of each phase (as ``tests/engine/builders.py`` builds them) with one to three fields moved
  to, just under or just over a threshold, a missing report, a red flag, a strength drop, same-day sessions, refs;
* random stints and mild stints (as the hypothesis strategies of ``tests/engine/test_properties.py`` draw them);
* app-only inputs: assessments as ``Reading`` (LSI, H-test, technique; before, on and after the latest session's
  day and after today) and ``StrengthReading``; an empty stint; review pending; every context field;
* late warning signs (``evaluate_late_warning``) on single sessions;
* the scenario files of the repository, as they are.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from progression.engine import (  # noqa: E402
    Context,
    Reading,
    SessionInput,
    StrengthReading,
    evaluate,
    evaluate_late_warning,
    parse_scenario_document,
    protocol_from_dict,
)

OUT = Path(__file__).resolve().parent / "decisions.json.gz"
# The default protocol as it was when the corpus was made (ab18552); the variants are clinic copies of it.
STORED = Path(__file__).resolve().parents[1] / "protocols" / "hamstring-rts-as-stored.json"
SCENARIO_FILES = ("tests/engine/scenarios/sample.json", "tests/progression/scenarios/edges.json")
TODAY = datetime.date(2026, 3, 20)
D = Decimal

SESSION_FIELDS = (
    "pain_during", "soreness_24h", "strength_lsi", "strength_method", "technique", "technique_fresh",
    "technique_fatigued", "rpe", "minutes", "peak_speed_pct", "efforts_95", "full_session", "red_flag",
    "apprehension", "ref",
)


# --------------------------------------------------------------------------- #
# Protocol variants (clinic copies as the editor saves them: the current JSON shape)
# --------------------------------------------------------------------------- #


def default_protocol_data() -> dict:
    return json.loads(STORED.read_text(encoding="utf-8"), parse_float=Decimal)


def _rule(data, code):
    return next(r for r in data["rules"] if r["code"] == code)


def variant_numbers():
    d = default_protocol_data()
    d["slug"], d["version"] = "clinic-numbers", 3
    d["phases"][1]["exit"]["min_lsi"] = 70
    d["phases"][2]["exit"]["max_pain"] = 3
    d["phases"][6]["exit"]["min_sessions"] = 3
    _rule(d, "red_flag").update(pain_at_least=8, soreness_at_least=6, to_phase=1, refer=False)
    _rule(d, "pain_or_soreness_5").update(pain_at_least=6, soreness_at_least=4, regress_phases=2)
    _rule(d, "soreness_consecutive").update(soreness_at_least=2, consecutive=3, regress_phases=1)
    _rule(d, "strength_falling").update(lsi_below=95, drop_from_best=D("7.5"), below_entry=3, regress_phases=2)
    _rule(d, "pain_or_soreness_3_4").update(pain_min=2, pain_max=4, soreness_min=3, soreness_max=5)
    _rule(d, "load_spike").update(hold_at=D("1.3"), reduce_volume_at=D("1.8"))
    _rule(d, "technique_fatigue").update(drop_at_least=20)
    _rule(d, "apprehension").update(from_phase=3, above=10)
    d["measurement"]["lsi_window_days"] = 3
    d["sources"]["hickey2020"] = "Our clinic's reading of Hickey 2020."
    return d


def variant_rules():
    d = default_protocol_data()
    d["slug"] = "clinic-rules"
    by = {r["code"]: r for r in d["rules"]}
    order = ["red_flag", "missing_data", "pain_or_soreness_5", "apprehension", "strength_falling",
             "pain_or_soreness_3_4", "soreness_consecutive", "exit_criteria"]
    d["rules"] = [by[c] for c in order]
    for i, r in enumerate(d["rules"], start=1):
        r["number"] = i
    return d


def variant_criteria():
    d = default_protocol_data()
    d["slug"] = "clinic-criteria"
    ph = d["phases"]
    ph[6]["exit"]["min_peak_speed"] = {"value": 95, "scope": "latest", "source": ["pollock2022"]}
    ph[3]["exit"]["min_peak_speed"] = {"value": D("87.5"), "scope": "best", "title": "Best peak speed"}
    ph[4]["exit"]["max_apprehension"] = {"value": 10, "required": True}
    ph[2]["exit"]["max_apprehension"] = 5
    ph[3]["exit"]["min_efforts_95"] = 1
    ph[5]["exit"].pop("min_load_pct")
    ph[5]["exit"]["min_days_since_rts"] = 0
    ph[1]["exit"]["min_full_sessions"] = 0
    ph[0]["exit"]["min_load_pct"] = {"value": 50, "source_note": "a clinic note"}
    ph[0]["exit"]["min_technique"] = 40
    ph[2]["exit"].pop("min_lsi")  # P3's entry level is then none
    ph[6]["refer_on_regress"] = False
    ph[4]["refer_on_regress"] = True
    ph[3]["sign_off_to_advance"] = True
    ph[3]["sign_off_note"] = "Our clinic signs off P3"
    return d


def variant_short():
    d = default_protocol_data()
    d["slug"] = "clinic-short"
    d["phases"] = d["phases"][:4]
    d["phases"][3]["sign_off_to_advance"] = True
    d["phases"][3]["refer_on_regress"] = True
    d["phases"][3]["exit"]["min_days_since_rts"] = 14
    _rule(d, "apprehension")["from_phase"] = 2
    return d


def variant_tight():
    d = default_protocol_data()
    d["slug"] = "clinic-tight"
    _rule(d, "pain_or_soreness_3_4").update(pain_min=1, pain_max=4, soreness_min=2, soreness_max=4)
    _rule(d, "red_flag").update(pain_at_least=5, soreness_at_least=5)
    _rule(d, "pain_or_soreness_5").update(pain_at_least=5, soreness_at_least=5)
    _rule(d, "soreness_consecutive").update(soreness_at_least=4, consecutive=10)
    _rule(d, "strength_falling").update(lsi_below=200, drop_from_best=0, below_entry=0)
    d["measurement"]["lsi_window_days"] = 0
    for p in d["phases"]:
        p["exit"]["min_sessions"] = 1
    return d


VARIANTS = {
    "default": default_protocol_data,
    "clinic-numbers": variant_numbers,
    "clinic-rules": variant_rules,
    "clinic-criteria": variant_criteria,
    "clinic-short": variant_short,
    "clinic-tight": variant_tight,
}


# --------------------------------------------------------------------------- #
# Inputs
# --------------------------------------------------------------------------- #


def dec(rng, lo, hi, places=1):
    return D(str(round(rng.uniform(lo, hi), places)))


def maybe(rng, value, p=0.5):
    return value if rng.random() < p else None


def clean_fields(phase: int, latest: bool) -> dict:
    """As tests/engine/builders.py clean_kwargs: a session meeting every exit criterion of the default's phase."""
    kw = {"pain_during": 0, "soreness_24h": 0, "rpe": D(5), "minutes": D(40)}
    if latest:
        if phase >= 1:
            kw["strength_lsi"] = D(100)
        if 1 <= phase <= 5:
            kw["technique"] = D(100)
        if phase >= 3:
            kw["peak_speed_pct"] = D(100)
        if phase == 4:
            kw["efforts_95"] = 3
        if phase == 5:
            kw["apprehension"] = D(0)
    if phase == 5:
        kw["full_session"] = True
    return kw


# field -> values near the default protocol's thresholds (and the variants')
TWEAKS = {
    "pain_during": [0, 1, 2, 3, 4, 5, 6, 7, 8, 10],
    "soreness_24h": [None, 0, 1, 2, 3, 4, 5, 6, 7, 9],
    "strength_lsi": [None, D(60), D("79.9"), D(80), D("84.99"), D(85), D("87.5"), D(89), D("89.95"), D(90),
                     D(91), D(95), D(100), D("112.5")],
    "strength_method": [None, "iso90", "nordic"],
    "technique": [None, D(40), D(57), D("58.3"), D(58), D(74), D(75), D(76), D(100)],
    "technique_fresh": [None, D("83.3"), D(80), D(90), D(100)],
    "technique_fatigued": [None, D("58.3"), D(55), D(60), D(65), D(75), D(80)],
    "peak_speed_pct": [None, D(80), D(84), D(85), D("87.5"), D(90), D(94), D(95), D(96), D(100)],
    "efforts_95": [None, 0, 1, 2, 3, 5],
    "full_session": [False, True],
    "red_flag": [False, False, False, True],
    "apprehension": [None, D(0), D(0), D(1), D(5), D(10), D(40)],
    "rpe": [None, D(3), D(7), D("6.5")],
    "minutes": [None, D(20), D(60)],
    "ref": [None, "log-1", "log-2"],
}


def sessions_clean(rng, phase: int, n: int) -> list[dict]:
    gap = rng.choice((1, 2, 2, 3))
    out = []
    for i in range(n):
        s = clean_fields(phase, i == n - 1)
        s["date"] = TODAY - datetime.timedelta(days=1 + gap * (n - 1 - i))
        out.append(s)
    for _ in range(rng.randint(0, 3)):
        field = rng.choice(list(TWEAKS))
        s = rng.choice(out) if rng.random() < 0.4 else out[-1]
        s[field] = rng.choice(TWEAKS[field])
    return out


PAIRS = [(D("83.3"), D("58.3")), (D(90), D(65)), (D(90), D("65.1")), (D(80), D(56)), (D(100), D(75)), (D(70), D(69))]


def sessions_probe(rng, phase: int, n: int) -> list[dict]:
    """A clean stint with one thing at a threshold: a field of the latest session (or of every session), or a
    fresh / fatigued technique pair."""
    out = sessions_clean(rng, phase, n)
    for s in out:
        s.pop("ref", None)
    field = rng.choice([f for f in TWEAKS if f not in ("ref", "rpe", "minutes")] + ["pair", "pair"])
    targets = out if rng.random() < 0.3 else [out[-1]]
    for s in targets:
        if field == "pair":
            s["technique_fresh"], s["technique_fatigued"] = rng.choice(PAIRS)
        else:
            s[field] = rng.choice(TWEAKS[field])
    return out


def sessions_random(rng, n: int) -> list[dict]:
    day = datetime.date(2026, 1, 5)
    out = []
    for _ in range(n):
        day = day + datetime.timedelta(days=rng.randint(0, 4))
        out.append({
            "date": day,
            "pain_during": rng.randint(0, 10),
            "soreness_24h": maybe(rng, rng.randint(0, 10)),
            "strength_lsi": maybe(rng, dec(rng, 50, 130)),
            "strength_method": rng.choice([None, None, "iso90", "nordic"]),
            "technique": maybe(rng, dec(rng, 0, 100)),
            "technique_fresh": maybe(rng, dec(rng, 0, 100)),
            "technique_fatigued": maybe(rng, dec(rng, 0, 100)),
            "rpe": maybe(rng, dec(rng, 0, 10)),
            "minutes": maybe(rng, dec(rng, 0, 120, 0)),
            "peak_speed_pct": maybe(rng, dec(rng, 50, 120)),
            "efforts_95": maybe(rng, rng.randint(0, 5)),
            "full_session": rng.random() < 0.5,
            "red_flag": rng.random() < 0.1,
            "apprehension": maybe(rng, dec(rng, 0, 100)),
        })
    return out


def sessions_mild(rng, n: int) -> list[dict]:
    start = datetime.date(2026, 1, 5)
    return [{
        "date": start + datetime.timedelta(days=2 * i),
        "pain_during": rng.randint(0, 3),
        "soreness_24h": rng.choice([0, 1, 2, 3, None]),
        "strength_lsi": maybe(rng, dec(rng, 84, 100)),
        "technique": maybe(rng, dec(rng, 55, 100)),
        "peak_speed_pct": maybe(rng, dec(rng, 80, 105)),
        "efforts_95": maybe(rng, rng.randint(0, 3)),
        "full_session": rng.random() < 0.5,
        "apprehension": rng.choice([None, D(0), D(0), D(5)]),
    } for i in range(n)]


def readings_for(rng, sessions: list[dict], today: datetime.date) -> tuple[list[dict], list[dict]]:
    """App-only assessments: Reading and StrengthReading dicts dated around the stint and today."""
    if rng.random() < 0.55:
        return [], []
    first = sessions[0]["date"] if sessions else today - datetime.timedelta(days=10)
    last = sessions[-1]["date"] if sessions else today
    def when():
        return rng.choice([first - datetime.timedelta(days=rng.randint(0, 9)), first, last,
                           last - datetime.timedelta(days=1), today, today - datetime.timedelta(days=7),
                           today - datetime.timedelta(days=8), today + datetime.timedelta(days=1)])
    readings = []
    for _ in range(rng.randint(0, 3)):
        r = {"date": when()}
        for field, values in (("strength_lsi", TWEAKS["strength_lsi"]), ("apprehension", TWEAKS["apprehension"]),
                              ("technique", TWEAKS["technique"])):
            if rng.random() < 0.5:
                r[field] = rng.choice(values)
        if r.get("strength_lsi") is not None and rng.random() < 0.5:
            r["strength_method"] = rng.choice(["iso90", "nordic"])
        if rng.random() < 0.3:
            r["ref"] = f"assessment-{rng.randint(1, 9)}"
        readings.append(r)
    strength = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        lsi = rng.choice([v for v in TWEAKS["strength_lsi"] if v is not None])
        s = {"date": when(), "lsi": lsi}
        if rng.random() < 0.5:
            s["method"] = rng.choice(["iso90", "nordic", None])
        if rng.random() < 0.3:
            s["ref"] = "strength-1"
        strength.append(s)
    return readings, strength


def context_for(rng, phase: int, last_phase: int) -> dict:
    ctx = {}
    if rng.random() < 0.5:
        calm = [D("0.8"), D("1.2"), D("1.29"), D("1.49"), D("1.333333333333"), D("0.96421")]
        spike = [D("1.3"), D("1.5"), D("1.51"), D("1.8"), D("1.99"), D(2), D("2.4")]
        ctx["acwr"] = rng.choice(spike if rng.random() < 0.3 else calm)
    if rng.random() < 0.5 or phase == 5:
        ctx["load_pct"] = rng.choice([None, D(85), D("89.9"), D(90), D(100), D(50)])
    if phase == last_phase or rng.random() < 0.2:
        ctx["days_since_rts"] = rng.choice([None, 0, 13, 14, 27, 28, 40])
    if rng.random() < 0.08:
        ctx["review_pending"] = True
    return ctx


# --------------------------------------------------------------------------- #
# Serialisation of inputs
# --------------------------------------------------------------------------- #


def _enc(v):
    if isinstance(v, Decimal):
        return {"d": str(v)}
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def _dec(field, v):
    if isinstance(v, dict):
        return Decimal(v["d"])
    if field == "date" and v is not None:
        return datetime.date.fromisoformat(v)
    return v


def encode(obj: dict) -> dict:
    return {k: _enc(v) for k, v in obj.items() if v is not None or k == "soreness_24h"}


def decode(obj: dict) -> dict:
    return {k: _dec(k, v) for k, v in obj.items()}


def build_inputs(case: dict):
    history = tuple(SessionInput(**decode(s)) for s in case["history"])
    readings = tuple(Reading(**decode(r)) for r in case.get("readings", ()))
    strength = tuple(StrengthReading(**decode(r)) for r in case.get("strength_readings", ()))
    context = Context(**decode(case.get("context", {})))
    return history, readings, strength, context


def run_case(protocols: dict, case: dict):
    protocol = protocols[case["protocol"]]
    history, readings, strength, context = build_inputs(case)
    today = datetime.date.fromisoformat(case["today"])
    if case.get("late"):
        d = evaluate_late_warning(protocol, phase=case["phase"], session=history[0], today=today)
        return None if d is None else d.to_dict()
    kwargs = {}
    if readings:
        kwargs["readings"] = readings
    if strength:
        kwargs["strength_readings"] = strength
    d = evaluate(protocol, phase=case["phase"], history=history, today=today, context=context, **kwargs)
    return d.to_dict()


# --------------------------------------------------------------------------- #
# The corpus
# --------------------------------------------------------------------------- #


def _case(name, phase, sessions, today, ctx=None, readings=(), strength=(), late=False):
    case = {"protocol": name, "phase": phase, "today": today.isoformat(),
            "history": [encode(s) for s in sessions]}
    if ctx:
        case["context"] = encode(ctx)
    if readings:
        case["readings"] = [encode(r) for r in readings]
    if strength:
        case["strength_readings"] = [encode(r) for r in strength]
    if late:
        case["late"] = True
    return case


def generated_cases(rng, name: str, n_phases: int, count: int) -> list[dict]:
    cases = []
    last_phase = n_phases - 1
    for i in range(count):
        phase = i % n_phases if i < 4 * n_phases else rng.randrange(n_phases)
        kind = rng.choices(["clean", "probe", "random", "mild", "empty", "late"], weights=[40, 25, 10, 16, 2, 7])[0]
        if kind == "probe":
            n = rng.choice([2, 2, 3, 4]) if phase < 6 else rng.choice([4, 5])
            sessions = sessions_probe(rng, min(phase, 6), n)
        elif kind == "clean":
            n = rng.choice([1, 2, 2, 3, 4, 4, 5, 6]) if phase < 6 else rng.choice([3, 4, 4, 5, 6])
            sessions = sessions_clean(rng, min(phase, 6), n)
        elif kind == "random" or kind == "late":
            sessions = sessions_random(rng, 1 if kind == "late" else rng.randint(1, 6))
        elif kind == "mild":
            sessions = sessions_mild(rng, rng.randint(1, 6))
        else:
            sessions = []
        if rng.random() < 0.1 and len(sessions) >= 2:  # same-day sessions
            sessions[-1]["date"] = sessions[-2]["date"]
        base = sessions[-1]["date"] if sessions else TODAY
        today = base + datetime.timedelta(days=rng.choice([0, 0, 1, 1, 1, 2, 3, 6, 7, 8, 9]))
        if kind == "late":
            cases.append(_case(name, phase, sessions, today, late=True))
            continue
        readings, strength = readings_for(rng, sessions, today)
        cases.append(_case(name, phase, sessions, today, context_for(rng, phase, last_phase), readings, strength))
    return cases


def scenario_cases() -> list[dict]:
    cases = []
    for path in SCENARIO_FILES:
        doc = parse_scenario_document((ROOT / path).read_text(encoding="utf-8"))
        for sc in doc.scenarios:
            sessions = [{f: getattr(s, f) for f in ("date", *SESSION_FIELDS)} for s in sc.history]
            ctx = {f: getattr(sc.context, f) for f in ("acwr", "load_pct", "days_since_rts", "review_pending")}
            ctx = {k: v for k, v in ctx.items() if v not in (None, False)}
            case = _case("default", sc.phase, sessions, sc.today, ctx)
            case["scenario"] = f"{path}#{sc.id}"
            cases.append(case)
    return cases


def build_corpus(seed: int = 20261201) -> dict:
    rng = random.Random(seed)
    definitions = {name: make() for name, make in VARIANTS.items()}
    cases = scenario_cases()
    counts = {"default": 4200, "clinic-numbers": 700, "clinic-rules": 500, "clinic-criteria": 700,
              "clinic-short": 300, "clinic-tight": 500}
    for name, count in counts.items():
        n_phases = len(definitions[name]["phases"])
        cases.extend(generated_cases(rng, name, n_phases, count))
    return {"definitions": definitions, "cases": cases}


def _json_default(o):
    if isinstance(o, Decimal):
        return float(o) if o != o.to_integral_value() else int(o)
    raise TypeError(type(o))


def load_protocols(definitions: dict) -> dict:
    return {name: protocol_from_dict(json.loads(json.dumps(d, default=_json_default), parse_float=Decimal))
            for name, d in definitions.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored file instead of writing it")
    args = ap.parse_args(argv)
    corpus = build_corpus()
    corpus = json.loads(json.dumps(corpus, default=_json_default), parse_float=Decimal)
    protocols = load_protocols(corpus["definitions"])
    for case in corpus["cases"]:
        case["decision"] = run_case(protocols, case)
    text = json.dumps(corpus, default=_json_default, separators=(",", ":"))
    if args.check:
        stored = json.loads(gzip.decompress(OUT.read_bytes()))
        same = stored == json.loads(text)
        print("identical" if same else "DIFFERENT")
        return 0 if same else 1
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    outcomes = {}
    for case in corpus["cases"]:
        d = case["decision"]
        key = "late-none" if d is None else f"{d['outcome']}:{d['decided_by']}"
        outcomes[key] = outcomes.get(key, 0) + 1
    print(f"{len(corpus['cases'])} cases, {OUT.stat().st_size:,} bytes -> {OUT}")
    for key in sorted(outcomes):
        print(f"  {key}: {outcomes[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
