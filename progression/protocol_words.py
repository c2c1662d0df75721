"""A protocol in plain words for the clinician's protocol page: each phase's sessions and items ("Tempo runs:
6-8 x 60-80 m at 50-60%"), its exit ("Exit: 2 clean sessions, pain <= 2/10, next-morning soreness <= 2/10,
LSI >= 80 %, technique >= 75 %"), the time floors by grade and the rules, each number with its source.

A pure function of the engine's parsed protocol (any number of phases, any criteria): no database, no Django.
"""
from __future__ import annotations

from decimal import Decimal

from . import engine
from .exports import item_text
from .protocol_editing import exit_label

#: The order a clinician reads an exit in (a stored definition may come back with its keys in another order:
#: PostgreSQL's jsonb sorts them); a clinic's own criteria follow, by name.
CRITERION_ORDER = ("min_sessions", "min_days_since_rts", "min_full_sessions", "min_efforts_95", "max_pain",
                   "max_soreness", "min_lsi", "min_technique", "min_peak_speed", "max_apprehension", "min_load_pct")
SCOPES = {"latest": "the latest reading", "best": "the best reading", "most_recent": "the most recent reading"}


def _n(v) -> str:
    if isinstance(v, Decimal):
        return str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f")
    return str(v)


def criterion_words(c) -> str:
    """One exit criterion: 'pain <= 2/10', 'LSI >= 80 %', 'peak speed >= 85 % of Vmax (the latest reading)'."""
    v = _n(c.value)
    words = {
        "min_sessions": f"{v} clean session{'s' if v != '1' else ''} in a row",
        "max_pain": f"pain <= {v}/10",
        "max_soreness": f"next-morning soreness <= {v}/10",
        "min_lsi": f"LSI >= {v} %",
        "min_technique": f"technique >= {v} %",
        "min_peak_speed": f"peak speed >= {v} % of Vmax",
        "min_efforts_95": f"{v} efforts at >= 95 % of Vmax",
        "min_full_sessions": f"{v} full team or race-pace sessions",
        "max_apprehension": f"apprehension (H-test) <= {v}",
        "min_load_pct": f"weekly load >= {v} % of baseline",
        "min_days_since_rts": f"{v} days since return-to-sport clearance",
    }.get(c.code)
    if words is None:  # a clinic's own criterion: its label and value
        label = exit_label(c.code)
        words = f"{c.title or label} {v}" if not label.endswith(("<=", ">=")) else f"{label} {v}"
    if c.scope and c.code not in ("min_sessions",) and c.kind == "reading":
        words += f" ({SCOPES.get(c.scope, c.scope)}{'' if c.required else ', if measured'})"
    return words


def _floor_words(f) -> str:
    if f.site:
        who = f"Site {f.site}" + (" (into the tendon)" if f.site == "c" else "")
    elif f.grades:
        g = sorted(f.grades)
        who = f"Grade {g[0]}" if len(g) == 1 else (f"Grade {g[0]}-{g[-1]}" if g == list(range(g[0], g[-1] + 1))
                                                  else "Grades " + ", ".join(map(str, g)))
    else:
        who = "Any injury"
    return f"{who}: at least {f.days} days from injury to clearance" + (f"; {f.note}" if f.note else "")


def _phase_items(protocol, number: int) -> list[str]:
    """Every item of the phase once, in protocol order, in plain words (the week's days together)."""
    rx = engine.week_prescription(protocol, phase=number, iso_year=2026, iso_week=2)
    seen, out = set(), []
    for day in rx.days:
        for item in day.items:
            if item.name not in seen:
                seen.add(item.name)
                text = item_text(item)
                if item.clinician_note:
                    text += f" [{item.clinician_note}]"
                out.append({"block": item.block, "text": text})
    return out


def protocol_in_words(protocol) -> dict:
    phases = []
    for ph in protocol.phases:
        spw = (str(ph.sessions_per_week_min) if ph.sessions_per_week_min == ph.sessions_per_week_max
               else f"{ph.sessions_per_week_min}-{ph.sessions_per_week_max}")
        extra = []
        if ph.intensity_pct_min is not None:
            extra.append(f"running at {_n(ph.intensity_pct_min)}-{_n(ph.intensity_pct_max)} % of Vmax")
        if ph.min_hours_between:
            extra.append(f"at least {ph.min_hours_between} h between sessions")
        shape = []
        if ph.sign_off_to_advance:
            shape.append("a clinician signs off the advance" + (f" ({ph.sign_off_note})" if ph.sign_off_note else ""))
        if ph.is_clearance:
            shape.append("its advance is return-to-sport clearance")
        if ph.is_last:
            shape.append("its advance is discharge")
        if ph.refer_on_regress:
            shape.append("a regression here refers the athlete")
        ordered = sorted(ph.exit, key=lambda c: (CRITERION_ORDER.index(c.code) if c.code in CRITERION_ORDER
                                                 else len(CRITERION_ORDER), c.code))
        criteria = [{"words": criterion_words(c), "title": c.title, "source": c.source} for c in ordered]
        phases.append({
            "number": ph.number, "name": ph.name, "focus": ph.focus, "description": ph.description,
            "sessions": f"{spw} sessions a week" + (", " + ", ".join(extra) if extra else ""),
            "shape": shape, "items": _phase_items(protocol, ph.number),
            "exit": "Exit: " + ", ".join(c["words"] for c in criteria) if criteria else "Exit: none",
            "criteria": criteria,
        })
    rules = [{"number": r.number, "title": r.title, "description": r.description,
              "numbers": ", ".join(f"{k.replace('_', ' ')} {_n(v)}" for k, v in r.params.items()
                                   if isinstance(v, int | Decimal) and not isinstance(v, bool)),
              "source": r.source} for r in protocol.rules]
    return {
        "phases": phases,
        "time_floors": [_floor_words(f) for f in protocol.time_floors],
        "time_floor_source": protocol.time_floor_source,
        "rules": rules,
        "load": (f"Workload: session load = RPE x minutes; acute {protocol.load.acute_n} days, chronic "
                 f"{protocol.load.chronic_n} days, used from {protocol.load.min_days} days of data",
                 protocol.load.source),
        "lsi_window": (f"A strength LSI counts for {protocol.lsi_window_days} days", protocol.lsi_window_source),
    }
