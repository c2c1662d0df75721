"""The decision rules and exit criteria: code for the logic, numbers from the protocol.

Each rule check has the signature ``check(rule, state, reasons) -> verdict | None``:
it appends its :class:`Reason` (status "fired" or "clear") and returns ``None``
when clear, or a verdict ``(outcome, to_phase, refer, decided_by, recommendations)``
when it decides. Rule 10 (``exit_criteria``) always decides and appends one
reason for itself and one per exit criterion of the phase.

Reading of PROTOCOL.md (see also the package docstring for the ambiguities):

* Rules 1-4 scan every session of the stint; rules 5-9 read the latest session.
* A regression goes ``regress_phases`` back, never below P0; a regression in P0
  stays in P0 (still "regress"). Rule 1 goes to its ``to_phase`` (P0), or stays
  where it is if that would be a step forward.
* Referral: rule 1 refers (``refer`` in its data); any regression out of a phase
  marked ``refer_on_regress`` (P6, after clearance) refers too.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from .protocol import Criterion, Phase, Protocol, RuleSpec
from .types import Context, Outcome, Reason, Recommendation, SessionInput
from .types import make_reason as _R

__all__ = ["RULE_CHECKS", "State", "fmt"]

ADVANCE = Outcome.ADVANCE
HOLD = Outcome.HOLD
REGRESS = Outcome.REGRESS

_Decimal = Decimal
_Q3 = Decimal("0.001")
_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


_FMT_CACHE: dict = {}


def fmt(v) -> str:
    """A number as a person reads it: 25 not 25.0, 83.3 as written, long ratios to 3 places.

    A pure function of the value (equal numbers give equal text), so it is cached.
    """
    try:
        return _FMT_CACHE[v]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a number
        return str(v)
    if v is None:
        text = "none"
    elif type(v) is int:
        text = str(v)
    elif v == v.to_integral_value():
        text = str(int(v))
    elif v.as_tuple().exponent < -3:
        text = str(v.quantize(_Q3, rounding=ROUND_HALF_UP).normalize())
    else:
        text = str(v.normalize())
    if len(_FMT_CACHE) < 8192:
        _FMT_CACHE[v] = text
    return text


_ISO_CACHE: dict = {}


def _iso(d: datetime.date) -> str:
    try:
        return _ISO_CACHE[d]
    except KeyError:
        text = d.isoformat()
        if len(_ISO_CACHE) < 8192:
            _ISO_CACHE[d] = text
        return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sess(s: SessionInput, **fields) -> dict:
    d = {"date": s.date}
    if s.ref is not None:
        d["ref"] = s.ref
    d.update(fields)
    return d


def _at_most(v) -> str:
    return fmt(v) if v == 0 else f"{fmt(v)} or less"


def _in_stint(n: int) -> str:
    return "in the stint's only session" if n == 1 else f"in the stint's {n} sessions"


def _either(pain_t, sore_t) -> str:
    if pain_t == sore_t:
        return f"pain or soreness of {fmt(pain_t)} or more"
    return f"pain of {fmt(pain_t)} or more or soreness of {fmt(sore_t)} or more"


class State:
    """What the rules read, with small per-decision caches."""

    __slots__ = (
        "protocol",
        "phase",
        "history",
        "today",
        "context",
        "last",
        "extra",
        "_lsi",
        "_lsi_done",
        "_merged",
    )

    def __init__(
        self,
        protocol: Protocol,
        phase: Phase,
        history: tuple[SessionInput, ...],
        today: datetime.date,
        context: Context,
        extra_readings: tuple = (),
    ):
        self.protocol = protocol
        self.phase = phase
        self.history = history
        self.today = today
        self.context = context
        self.last = history[-1] if history else None
        self.extra = extra_readings
        self._lsi = None
        self._lsi_done = False
        self._merged = None

    def merged(self, attr: str) -> tuple:
        """Everything that carries ``attr`` (``strength_lsi``, ``technique``, ``apprehension``), oldest first:
        the sessions and (app only) the extra readings merged in by date, sessions first on the same date (so a
        same-day assessment is the more recent). Without extra readings: the stint itself (items may have
        ``attr`` None)."""
        if not self.extra:
            return self.history
        if self._merged is None:
            self._merged = {}
        found = self._merged.get(attr)
        if found is None:
            items = [s for s in self.history if getattr(s, attr) is not None]
            items.extend(r for r in self.extra if getattr(r, attr) is not None)
            items.sort(key=_by_date)  # stable: sessions stay before readings of the same date
            found = self._merged[attr] = tuple(items)
        return found

    def lsi_sources(self) -> tuple:
        """Everything that may carry an LSI, oldest first (see :meth:`merged`).
        Items have ``date``, ``strength_lsi`` (may be None for sessions), ``strength_method``, ``ref``."""
        return self.merged("strength_lsi")

    def latest_apprehension(self):
        """Rule 9's reading: the latest session's H-test score, unless an extra reading (an assessment) dated on
        or after the latest session's day carries a more recent one."""
        last = self.last
        if last is None:
            return None
        best = last if last.apprehension is not None else None
        if self.extra:
            for r in self.extra:
                if r.apprehension is not None and r.date >= last.date and (best is None or r.date >= best.date):
                    best = r
        return best

    def recent_lsi(self):
        """The most recent LSI reading measured within the window before today
        (today - window days counts, one day more does not; the same day counts)."""
        if self._lsi_done:
            return self._lsi
        window = self.protocol.lsi_window_days
        today = self.today
        found = None
        for s in reversed(self.lsi_sources()):
            if s.strength_lsi is not None:
                days = (today - s.date).days
                if 0 <= days <= window:
                    found = s
                    break
                if days > window:
                    break  # older readings are older still
        self._lsi = found
        self._lsi_done = True
        return found

    def latest_lsi_any(self):
        for s in reversed(self.lsi_sources()):
            if s.strength_lsi is not None:
                return s
        return None


def _by_date(s):
    return s.date


def _regress(rule: RuleSpec, st: State) -> tuple[int, bool]:
    ph = st.phase
    return max(0, ph.number - rule.params["regress_phases"]), ph.refer_on_regress


def _regress_words(ph: Phase, to_phase: int, refer: bool) -> str:
    if to_phase == ph.number:
        text = f"A regression in Phase {ph.number} stays in Phase {ph.number} and starts a new stint."
    else:
        text = f"Back to Phase {to_phase}."
    if refer:
        text += " The athlete had been cleared: refer to the clinician."
    return text


# --------------------------------------------------------------------------- #
# Rules 1-4: every session of the stint
# --------------------------------------------------------------------------- #


def check_red_flag(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    pt = P["pain_at_least"]
    so_t = P["soreness_at_least"]
    hist = st.history
    hits = None
    max_pain = max_sore = None
    for s in hist:
        so = s.soreness_24h
        pain = s.pain_during
        if max_pain is None or pain > max_pain:
            max_pain = pain
        if so is not None and (max_sore is None or so > max_sore):
            max_sore = so
        if s.red_flag or pain >= pt or (so is not None and so >= so_t):
            if hits is None:
                hits = [s]
            else:
                hits.append(s)
    if hits is None:
        reasons.append(
            _R(
                "rule.red_flag",
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"No red flag reported, and no {_either(pt, so_t)}, {_in_stint(len(hist))}.",
                {
                    "sessions": len(hist),
                    "max_pain": max_pain,
                    "max_soreness": max_sore,
                    "pain_at_least": pt,
                    "soreness_at_least": so_t,
                },
                rule.source,
            )
        )
        return None
    parts = []
    found = []
    for s in hits:
        why = []
        so = s.soreness_24h
        if s.red_flag:
            why.append("red flag reported (sharp pain, a pop, forced to stop or new bruising)")
        if s.pain_during >= pt:
            why.append(f"pain {s.pain_during} during the session")
        if so is not None and so >= so_t:
            why.append(f"next-morning soreness {so}")
        parts.append(f"{_iso(s.date)}: {', '.join(why)}")
        found.append(_sess(s, red_flag=s.red_flag, pain_during=s.pain_during, soreness_24h=so))
    ph = st.phase
    to_phase = min(P["to_phase"], ph.number)
    refer = P["refer"] or ph.refer_on_regress
    msg = f"Red flag on {'; '.join(parts)} (a red flag, or {_either(pt, so_t)}). Back to Phase {to_phase}"
    msg += (
        " and refer to the clinician; no further progress until a clinician has reviewed the plan."
        if refer
        else "."
    )
    reasons.append(
        _R(
            "rule.red_flag",
            "rule",
            rule.number,
            rule.title,
            "fired",
            msg,
            {"sessions": found, "pain_at_least": pt, "soreness_at_least": so_t, "to_phase": to_phase},
            rule.source,
        )
    )
    return (REGRESS, to_phase, refer, "rule.red_flag", ())


def check_pain_or_soreness_5(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    pt = P["pain_at_least"]
    so_t = P["soreness_at_least"]
    hist = st.history
    hits = None
    max_pain = max_sore = None
    for s in hist:
        so = s.soreness_24h
        pain = s.pain_during
        if max_pain is None or pain > max_pain:
            max_pain = pain
        if so is not None and (max_sore is None or so > max_sore):
            max_sore = so
        if pain >= pt or (so is not None and so >= so_t):
            if hits is None:
                hits = [s]
            else:
                hits.append(s)
    code = "rule." + rule.code
    if hits is None:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"No {_either(pt, so_t)} {_in_stint(len(hist))}.",
                {
                    "sessions": len(hist),
                    "max_pain": max_pain,
                    "max_soreness": max_sore,
                    "pain_at_least": pt,
                    "soreness_at_least": so_t,
                },
                rule.source,
            )
        )
        return None
    parts = []
    found = []
    for s in hits:
        so = s.soreness_24h
        if s.pain_during >= pt:
            parts.append(f"pain {s.pain_during} during the session on {_iso(s.date)}")
        if so is not None and so >= so_t:
            parts.append(f"next-morning soreness {so} after the session on {_iso(s.date)}")
        found.append(_sess(s, pain_during=s.pain_during, soreness_24h=so))
    to_phase, refer = _regress(rule, st)
    msg = (
        f"{_cap('; '.join(parts))} ({_either(pt, so_t)} is beyond what is tolerated). "
        f"{_regress_words(st.phase, to_phase, refer)}"
    )
    reasons.append(
        _R(
            code,
            "rule",
            rule.number,
            rule.title,
            "fired",
            msg,
            {"sessions": found, "pain_at_least": pt, "soreness_at_least": so_t, "to_phase": to_phase},
            rule.source,
        )
    )
    return (REGRESS, to_phase, refer, code, ())


def check_soreness_consecutive(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    t = P["soreness_at_least"]
    k = P["consecutive"]
    hist = st.history
    run = 0
    end = -1
    for i, s in enumerate(hist):
        so = s.soreness_24h
        if so is not None and so >= t:
            run += 1
            if run >= k:
                end = i
                break
        else:
            run = 0  # a lower score, or no report, breaks the run
    code = "rule." + rule.code
    words = _WORDS.get(k, str(k))
    if end < 0:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Next-morning soreness was not {fmt(t)} or more on {words} sessions in a row "
                "(a session with no report breaks a run).",
                {"soreness_at_least": t, "consecutive": k},
                rule.source,
            )
        )
        return None
    pair = hist[end - k + 1 : end + 1]
    listed = [f"{s.soreness_24h} on {_iso(s.date)}" for s in pair]
    joined = ", ".join(listed[:-1]) + " and " + listed[-1]
    to_phase, refer = _regress(rule, st)
    msg = (
        f"Next-morning soreness {joined}: {words} sessions in a row at {fmt(t)} or more; "
        f"soreness is not settling overnight. {_regress_words(st.phase, to_phase, refer)}"
    )
    reasons.append(
        _R(
            code,
            "rule",
            rule.number,
            rule.title,
            "fired",
            msg,
            {
                "sessions": [_sess(s, soreness_24h=s.soreness_24h) for s in pair],
                "soreness_at_least": t,
                "consecutive": k,
                "to_phase": to_phase,
            },
            rule.source,
        )
    )
    return (REGRESS, to_phase, refer, code, ())


def _method_words(m: str | None) -> str:
    return f"the same test ({m})" if m else "the same test"


def check_strength_falling(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    below = P["lsi_below"]
    drop = P["drop_from_best"]
    be = P["below_entry"]
    ph = st.phase
    entry = ph.entry_lsi
    best: dict = {}
    findings = None
    readings = None
    for s in st.lsi_sources():
        v = s.strength_lsi
        if v is None:
            continue
        if readings is None:
            readings = [v]
        else:
            readings.append(v)
        m = s.strength_method
        b = best.get(m)
        if b is not None and v < below and b.strength_lsi - v >= drop:
            if findings is None:
                findings = []
            findings.append(("best", s, b))
        if entry is not None and entry - v >= be:
            if findings is None:
                findings = []
            findings.append(("entry", s, None))
        if b is None or v > b.strength_lsi:
            best[m] = s
    code = "rule." + rule.code
    if findings is None:
        if readings is None:
            msg = "No strength LSI reading in this stint."
        else:
            msg = (
                f"Strength LSI {'reading' if len(readings) == 1 else 'readings'} "
                f"{', '.join(fmt(v) for v in readings)}: no reading below {fmt(below)} is {fmt(drop)} or more "
                "points under an earlier best of the same test"
            )
            if entry is None:
                msg += f"; Phase {ph.number} has no entry level."
            else:
                msg += (
                    f", and none is {fmt(be)} or more below Phase {ph.number}'s entry level of {fmt(entry)}."
                )
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                msg,
                {
                    "readings": readings or [],
                    "entry_level": entry,
                    "lsi_below": below,
                    "drop_from_best": drop,
                    "below_entry": be,
                },
                rule.source,
            )
        )
        return None
    parts = []
    found = []
    for kind, s, b in findings:
        v = s.strength_lsi
        if kind == "best":
            diff = b.strength_lsi - v
            parts.append(
                f"LSI {fmt(v)} on {_iso(s.date)} is {fmt(diff)} points below the best earlier reading of "
                f"{_method_words(s.strength_method)}, {fmt(b.strength_lsi)} on {_iso(b.date)} "
                f"({fmt(drop)} or more down, and below {fmt(below)})"
            )
            found.append(
                _sess(
                    s,
                    branch="drop_from_best",
                    strength_lsi=v,
                    strength_method=s.strength_method,
                    best_earlier=b.strength_lsi,
                    best_earlier_date=b.date,
                    drop=diff,
                )
            )
        else:
            diff = entry - v
            parts.append(
                f"LSI {fmt(v)} on {_iso(s.date)} is {fmt(diff)} points below Phase {ph.number}'s entry level of "
                f"{fmt(entry)} ({fmt(be)} or more below)"
            )
            found.append(_sess(s, branch="below_entry", strength_lsi=v, entry_level=entry, shortfall=diff))
    to_phase, refer = _regress(rule, st)
    msg = f"{'; '.join(parts)}: strength is falling. {_regress_words(ph, to_phase, refer)} Retest strength."
    reasons.append(
        _R(
            code,
            "rule",
            rule.number,
            rule.title,
            "fired",
            msg,
            {
                "findings": found,
                "entry_level": entry,
                "lsi_below": below,
                "drop_from_best": drop,
                "below_entry": be,
                "to_phase": to_phase,
            },
            rule.source,
        )
    )
    rec = Recommendation(
        "retest_strength",
        "Retest hamstring strength with the same test method to confirm the fall before progressing again.",
    )
    return (REGRESS, to_phase, refer, code, (rec,))


# --------------------------------------------------------------------------- #
# Rules 5-9: the latest session
# --------------------------------------------------------------------------- #


def check_missing_data(rule: RuleSpec, st: State, reasons: list):
    code = "rule." + rule.code
    last = st.last
    ph = st.phase
    window = st.protocol.lsi_window_days
    if last is None:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "fired",
                "No session logged in this stint yet: nothing to advance on.",
                {"sessions": 0},
                rule.source,
            )
        )
        return (HOLD, ph.number, False, code, ())
    sore_missing = last.soreness_24h is None
    need_lsi = ph.lsi_threshold is not None
    recent = st.recent_lsi() if need_lsi else None
    lsi_missing = need_lsi and recent is None
    values = {
        "latest_session": last.date,
        "soreness_24h": last.soreness_24h,
        "lsi_required": need_lsi,
        "lsi_window_days": window,
        "today": st.today,
    }
    if last.ref is not None:
        values["latest_ref"] = last.ref
    if need_lsi:
        shown = recent or st.latest_lsi_any()
        values["latest_lsi"] = shown.strength_lsi if shown else None
        values["latest_lsi_date"] = shown.date if shown else None
    if not sore_missing and not lsi_missing:
        msg = f"The latest session ({_iso(last.date)}) has its next-morning soreness report"
        if need_lsi:
            msg += (
                f", and a strength LSI was measured within {window} days before {_iso(st.today)} "
                f"({fmt(recent.strength_lsi)} on {_iso(recent.date)})."
            )
        else:
            msg += f"; Phase {ph.number} has no strength threshold."
        reasons.append(_R(code, "rule", rule.number, rule.title, "clear", msg, values, rule.source))
        return None
    parts = []
    if sore_missing:
        parts.append(f"No next-morning soreness report yet for the latest session ({_iso(last.date)})")
    if lsi_missing:
        older = st.latest_lsi_any()
        text = f"no strength LSI measured within {window} days before {_iso(st.today)}"
        if older is not None:
            text += f" (the latest, {fmt(older.strength_lsi)}, is from {_iso(older.date)})"
        text += f" and Phase {ph.number} has a strength threshold"
        parts.append(text if parts else text[0].upper() + text[1:])
    msg = "; ".join(parts) + ". Never advance on missing data."
    reasons.append(_R(code, "rule", rule.number, rule.title, "fired", msg, values, rule.source))
    return (HOLD, ph.number, False, code, ())


def check_pain_or_soreness_3_4(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    pmin = P["pain_min"]
    pmax = P["pain_max"]
    smin = P["soreness_min"]
    smax = P["soreness_max"]
    code = "rule." + rule.code
    last = st.last
    if last is None:
        reasons.append(
            _R(code, "rule", rule.number, rule.title, "clear", "No session in this stint.", {}, rule.source)
        )
        return None
    pain = last.pain_during
    so = last.soreness_24h
    pain_hit = pmin <= pain <= pmax
    so_hit = so is not None and smin <= so <= smax
    values = {
        "date": last.date,
        "pain_during": pain,
        "soreness_24h": so,
        "pain_min": pmin,
        "pain_max": pmax,
        "soreness_min": smin,
        "soreness_max": smax,
    }
    if last.ref is not None:
        values["ref"] = last.ref
    if not pain_hit and not so_hit:
        so_txt = "not reported" if so is None else str(so)
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Latest session ({_iso(last.date)}): pain {pain}, next-morning soreness {so_txt}; "
                f"neither is {fmt(pmin)}-{fmt(pmax)}."
                if (pmin, pmax) == (smin, smax)
                else f"Latest session ({_iso(last.date)}): pain {pain} (not {fmt(pmin)}-{fmt(pmax)}), "
                f"next-morning soreness {so_txt} (not {fmt(smin)}-{fmt(smax)}).",
                values,
                rule.source,
            )
        )
        return None
    parts = []
    if pain_hit:
        parts.append(f"pain {pain} during the latest session ({_iso(last.date)})")
    if so_hit:
        parts.append(
            f"next-morning soreness {so} after it"
            if pain_hit
            else f"next-morning soreness {so} after the latest session ({_iso(last.date)})"
        )
    text = " and ".join(parts)
    msg = f"{text[0].upper()}{text[1:]}: {fmt(pmin)}-{fmt(pmax)} is tolerated, not a basis for progression."
    reasons.append(_R(code, "rule", rule.number, rule.title, "fired", msg, values, rule.source))
    return (HOLD, st.phase.number, False, code, ())


def check_load_spike(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    hold_at = P["hold_at"]
    reduce_at = P["reduce_volume_at"]
    code = "rule." + rule.code
    acwr = st.context.acwr
    values = {"acwr": acwr, "hold_at": hold_at, "reduce_volume_at": reduce_at}
    if acwr is None:
        ld = st.protocol.load
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Workload ratio (EWMA ACWR) not computed (it needs {ld.min_days} days of load or a pre-injury "
                "baseline), so the load-spike rule does not apply.",
                values,
                rule.source,
            )
        )
        return None
    if acwr < hold_at:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Workload ratio (EWMA ACWR) {fmt(acwr)}, below {fmt(hold_at)}.",
                values,
                rule.source,
            )
        )
        return None
    recs = ()
    msg = f"Workload ratio (EWMA ACWR) {fmt(acwr)}, at or above {fmt(hold_at)}: a load spike, hold (never a regression)."
    if acwr >= reduce_at:
        msg += f" At {fmt(reduce_at)} or more, reduce next week's volume."
        recs = (
            Recommendation(
                "reduce_volume",
                f"Reduce next week's training volume: the workload ratio is {fmt(acwr)} ({fmt(reduce_at)} or more).",
            ),
        )
    reasons.append(_R(code, "rule", rule.number, rule.title, "fired", msg, values, rule.source))
    return (HOLD, st.phase.number, False, code, recs)


def check_technique_fatigue(rule: RuleSpec, st: State, reasons: list):
    t = rule.params["drop_at_least"]
    code = "rule." + rule.code
    last = st.last
    fresh = last.technique_fresh if last is not None else None
    tired = last.technique_fatigued if last is not None else None
    values = {"technique_fresh": fresh, "technique_fatigued": tired, "drop_at_least": t}
    if last is not None:
        values["date"] = last.date
        if last.ref is not None:
            values["ref"] = last.ref
    if fresh is None or tired is None:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                "Technique on the first and on the last reps not both scored in the latest session, "
                "so this rule does not apply.",
                values,
                rule.source,
            )
        )
        return None
    drop = fresh - tired
    values["drop"] = drop
    if drop < t:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Technique {fmt(fresh)} on the first reps and {fmt(tired)} on the last ({_iso(last.date)}): "
                f"a drop of {fmt(drop)} points, below {fmt(t)}.",
                values,
                rule.source,
            )
        )
        return None
    reasons.append(
        _R(
            code,
            "rule",
            rule.number,
            rule.title,
            "fired",
            f"Technique {fmt(fresh)} on the first reps and {fmt(tired)} on the last ({_iso(last.date)}): "
            f"a drop of {fmt(drop)} points, {fmt(t)} or more. Technique breaks down under fatigue.",
            values,
            rule.source,
        )
    )
    rec = Recommendation(
        "cap_reps",
        f"Cap the reps where technique broke down: it fell {fmt(drop)} points from the first to the last reps.",
    )
    return (HOLD, st.phase.number, False, code, (rec,))


def check_apprehension(rule: RuleSpec, st: State, reasons: list):
    P = rule.params
    from_phase = P["from_phase"]
    above = P["above"]
    code = "rule." + rule.code
    ph = st.phase
    src = st.latest_apprehension()
    a = src.apprehension if src is not None else None
    values = {"apprehension": a, "above": above, "from_phase": from_phase, "applies": ph.number >= from_phase}
    if ph.number < from_phase:
        reasons.append(
            _R(
                code,
                "rule",
                rule.number,
                rule.title,
                "clear",
                f"Apprehension is checked from Phase {from_phase} on; this plan is in Phase {ph.number}.",
                values,
                rule.source,
            )
        )
        return None
    where = "in the latest session" if src is st.last else "in an assessment"
    if a is None or a <= above:
        msg = (
            "No apprehension score in the latest session."
            if a is None
            else f"Apprehension {fmt(a)} on the H-test {where} ({_iso(src.date)}), not above {fmt(above)}."
        )
        reasons.append(_R(code, "rule", rule.number, rule.title, "clear", msg, values, rule.source))
        return None
    values["date"] = src.date
    if src.ref is not None:
        values["ref"] = src.ref
    reasons.append(
        _R(
            code,
            "rule",
            rule.number,
            rule.title,
            "fired",
            f"Apprehension {fmt(a)} on the H-test {where} ({_iso(src.date)}); from Phase "
            f"{from_phase} on it must not be above {fmt(above)}.",
            values,
            rule.source,
        )
    )
    return (HOLD, ph.number, False, code, ())


# --------------------------------------------------------------------------- #
# Rule 10: exit criteria
# --------------------------------------------------------------------------- #


def _crit(c: Criterion, status: str, message: str, values: dict) -> Reason:
    return _R("exit." + c.code, "criterion", None, c.title, status, message, values, c.source)


def _c_min_sessions(c: Criterion, st: State) -> Reason:
    n = len(st.history)
    need = c.value
    ok = n >= need
    return _crit(
        c,
        "met" if ok else "not_met",
        f"{_n(n, 'session')} in this stint; the last {fmt(need)} must each be within the limits "
        f"({fmt(need)} or more needed).",
        {"sessions": n, "min": need},
    )


def _c_max_pain(c: Criterion, st: State) -> Reason:
    n = st.phase.min_sessions
    last = st.history[-n:]
    limit = c.value
    ok = True
    listed = []
    for s in last:
        if s.pain_during > limit:
            ok = False
        listed.append(f"{s.pain_during} ({_iso(s.date)})")
    return _crit(
        c,
        "met" if ok else "not_met",
        f"Pain during the last {_n(len(last), 'session')}: {', '.join(listed) or 'none'}; "
        f"each must be {_at_most(limit)}.",
        {"sessions": [_sess(s, pain_during=s.pain_during) for s in last], "max": limit},
    )


def _c_max_soreness(c: Criterion, st: State) -> Reason:
    n = st.phase.min_sessions
    last = st.history[-n:]
    limit = c.value
    ok = True
    listed = []
    for s in last:
        so = s.soreness_24h
        if so is None:
            ok = False
            listed.append(f"not reported ({_iso(s.date)})")
        else:
            if so > limit:
                ok = False
            listed.append(f"{so} ({_iso(s.date)})")
    return _crit(
        c,
        "met" if ok else "not_met",
        f"Next-morning soreness after the last {_n(len(last), 'session')}: {', '.join(listed) or 'none'}; "
        f"each must be reported and {_at_most(limit)}.",
        {"sessions": [_sess(s, soreness_24h=s.soreness_24h) for s in last], "max": limit},
    )


def _c_min_lsi(c: Criterion, st: State) -> Reason:
    s = st.recent_lsi()
    need = c.value
    window = st.protocol.lsi_window_days
    if s is None:
        return _crit(
            c,
            "not_met",
            f"No strength LSI measured within {window} days before {_iso(st.today)}; {fmt(need)} or more needed.",
            {"lsi": None, "min": need, "window_days": window},
        )
    ok = s.strength_lsi >= need
    v = _sess(s, lsi=s.strength_lsi, min=need, window_days=window)
    if s.strength_method is not None:
        v["method"] = s.strength_method
    return _crit(
        c,
        "met" if ok else "not_met",
        f"Strength LSI {fmt(s.strength_lsi)} on {_iso(s.date)} (the most recent within {window} days); "
        f"{fmt(need)} or more needed.",
        v,
    )


def _c_min_technique(c: Criterion, st: State) -> Reason:
    need = c.value
    for s in reversed(st.merged("technique")):
        if s.technique is not None:
            ok = s.technique >= need
            return _crit(
                c,
                "met" if ok else "not_met",
                f"Technique score {fmt(s.technique)} on {_iso(s.date)} (the most recent in this stint); "
                f"{fmt(need)} or more needed.",
                _sess(s, technique=s.technique, min=need),
            )
    return _crit(
        c,
        "not_met",
        f"No technique score recorded in this stint; {fmt(need)} or more needed.",
        {"technique": None, "min": need},
    )


def _c_min_peak_speed(c: Criterion, st: State) -> Reason:
    need = c.value
    if c.scope == "latest":
        s = st.last
        v = s.peak_speed_pct if s is not None else None
        if v is None:
            return _crit(
                c,
                "not_met",
                f"No peak speed recorded in the latest session; {fmt(need)}% or more of maximal velocity needed.",
                {"peak_speed_pct": None, "scope": "latest", "min": need},
            )
        return _crit(
            c,
            "met" if v >= need else "not_met",
            f"Peak speed in the latest session ({_iso(s.date)}): {fmt(v)}% of maximal velocity; "
            f"{fmt(need)}% or more needed.",
            _sess(s, peak_speed_pct=v, scope="latest", min=need),
        )
    best = None
    for s in st.history:
        v = s.peak_speed_pct
        if v is not None and (best is None or v > best.peak_speed_pct):
            best = s
    if best is None:
        return _crit(
            c,
            "not_met",
            f"No peak speed recorded in this phase; {fmt(need)}% or more of maximal velocity needed.",
            {"peak_speed_pct": None, "scope": "best", "min": need},
        )
    v = best.peak_speed_pct
    return _crit(
        c,
        "met" if v >= need else "not_met",
        f"Highest peak speed in this phase: {fmt(v)}% of maximal velocity ({_iso(best.date)}); "
        f"{fmt(need)}% or more needed.",
        _sess(best, peak_speed_pct=v, scope="best", min=need),
    )


def _c_min_efforts_95(c: Criterion, st: State) -> Reason:
    total = 0
    for s in st.history:
        if s.efforts_95:
            total += s.efforts_95
    need = c.value
    return _crit(
        c,
        "met" if total >= need else "not_met",
        f"{_n(total, 'effort')} at 95% or more of maximal velocity in this phase; {fmt(need)} or more needed.",
        {"efforts_95": total, "min": need},
    )


def _c_min_full_sessions(c: Criterion, st: State) -> Reason:
    total = 0
    for s in st.history:
        if s.full_session:
            total += 1
    need = c.value
    return _crit(
        c,
        "met" if total >= need else "not_met",
        f"{_n(total, 'full team or race-pace session')} in this phase; {fmt(need)} or more needed.",
        {"full_sessions": total, "min": need},
    )


def _c_max_apprehension(c: Criterion, st: State) -> Reason:
    limit = c.value
    need_words = f"must be {fmt(limit)}" if limit == 0 else f"must be {fmt(limit)} or less"
    for s in reversed(st.merged("apprehension")):
        a = s.apprehension
        if a is not None:
            return _crit(
                c,
                "met" if a <= limit else "not_met",
                f"Most recent apprehension score (H-test) {fmt(a)} on {_iso(s.date)}; it {need_words}.",
                _sess(s, apprehension=a, max=limit, required=c.required),
            )
    if c.required:
        return _crit(
            c,
            "not_met",
            f"No apprehension score (H-test) recorded in this phase; one is needed and it {need_words}.",
            {"apprehension": None, "max": limit, "required": True},
        )
    return _crit(
        c,
        "met",
        f"No apprehension score (H-test) recorded in this stint; if one is recorded it {need_words}.",
        {"apprehension": None, "max": limit, "required": False},
    )


def _c_min_load_pct(c: Criterion, st: State) -> Reason:
    need = c.value
    v = st.context.load_pct
    if v is None:
        return _crit(
            c,
            "not_applicable",
            "No pre-injury load baseline, so this criterion does not apply.",
            {"load_pct": None, "min": need},
        )
    return _crit(
        c,
        "met" if v >= need else "not_met",
        f"Load {fmt(v)}% of the pre-injury baseline; {fmt(need)}% or more needed.",
        {"load_pct": v, "min": need},
    )


def _c_min_days_since_rts(c: Criterion, st: State) -> Reason:
    need = c.value
    v = st.context.days_since_rts
    if v is None:
        return _crit(
            c,
            "not_met",
            f"Days since return-to-sport clearance not known; {fmt(need)} or more needed.",
            {"days_since_rts": None, "min": need},
        )
    return _crit(
        c,
        "met" if v >= need else "not_met",
        f"{_n(v, 'day')} since return-to-sport clearance; {fmt(need)} or more needed.",
        {"days_since_rts": v, "min": need},
    )


CRITERION_CHECKS = {
    "min_sessions": _c_min_sessions,
    "max_pain": _c_max_pain,
    "max_soreness": _c_max_soreness,
    "min_lsi": _c_min_lsi,
    "min_technique": _c_min_technique,
    "min_peak_speed": _c_min_peak_speed,
    "min_efforts_95": _c_min_efforts_95,
    "min_full_sessions": _c_min_full_sessions,
    "max_apprehension": _c_max_apprehension,
    "min_load_pct": _c_min_load_pct,
    "min_days_since_rts": _c_min_days_since_rts,
}


def check_exit_criteria(rule: RuleSpec, st: State, reasons: list):
    ph = st.phase
    crit_reasons = [CRITERION_CHECKS[c.code](c, st) for c in ph.exit]
    not_met = [r for r in crit_reasons if r.status == "not_met"]
    code = "rule." + rule.code
    last_phase = st.protocol.last_phase
    values = {
        "met": [r.code for r in crit_reasons if r.status == "met"],
        "not_met": [r.code for r in not_met],
        "not_applicable": [r.code for r in crit_reasons if r.status == "not_applicable"],
    }
    total = len(crit_reasons)
    if not not_met:
        to_phase = ph.number + 1 if ph.number < last_phase else None
        values["to_phase"] = to_phase
        where = (
            f"advance to Phase {to_phase}."
            if to_phase is not None
            else "advancing from the last phase discharges the plan, which is then complete."
        )
        applicable = total - len(values["not_applicable"])
        noun = "exit criterion" if applicable == 1 else "exit criteria"
        msg = f"All {applicable} {noun} of Phase {ph.number} met: {where}"
        reasons.append(_R(code, "rule", rule.number, rule.title, "fired", msg, values, rule.source))
        reasons.extend(crit_reasons)
        recs = ()
        if ph.sign_off_to_advance:
            text = f"A clinician must sign off before the plan leaves Phase {ph.number}."
            if ph.sign_off_note:
                text += f" {ph.sign_off_note}."
            recs = (Recommendation("clinician_sign_off", text),)
        return (ADVANCE, to_phase, False, code, recs)
    values["to_phase"] = ph.number
    titles = "; ".join(r.title for r in not_met)
    msg = f"Hold in Phase {ph.number}: {len(not_met)} of {total} exit criteria not met ({titles})."
    reasons.append(_R(code, "rule", rule.number, rule.title, "fired", msg, values, rule.source))
    reasons.extend(crit_reasons)
    return (HOLD, ph.number, False, not_met[0].code, ())


RULE_CHECKS = {
    "red_flag": check_red_flag,
    "pain_or_soreness_5": check_pain_or_soreness_5,
    "soreness_consecutive": check_soreness_consecutive,
    "strength_falling": check_strength_falling,
    "missing_data": check_missing_data,
    "pain_or_soreness_3_4": check_pain_or_soreness_3_4,
    "load_spike": check_load_spike,
    "technique_fatigue": check_technique_fatigue,
    "apprehension": check_apprehension,
    "exit_criteria": check_exit_criteria,
}
