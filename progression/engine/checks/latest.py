"""Rule checks that read the latest session (and, app only, the assessments beside it).

* ``missing_data``: the latest session has no next-morning report, or the phase has an LSI threshold and no LSI
  was measured within the protocol's window -> hold (rule 5). An empty stint holds here too.
* ``latest_band``: pain or soreness of the latest session within a band -> hold (rule 6).
* ``difference``: a difference of two scores of the latest session (technique on the first reps minus on the last)
  at or above a level -> hold and cap the reps (rule 8).
* ``latest_above``: from a phase on, the latest apprehension score above a level -> hold (rule 9).
"""

from __future__ import annotations

from ..reasons import capitalised, fmt, iso
from ..types import Recommendation
from .base import RuleCheck, State

__all__ = ["Difference", "LatestAbove", "LatestBand", "MissingData"]


class MissingData(RuleCheck):
    """Rule 5. Never advance on missing data."""

    __slots__ = ()

    def __call__(self, st: State, reasons: list):
        last = st.last
        ph = st.phase
        if last is None:
            reasons.append(self.reason("fired", "No session logged in this stint yet: nothing to advance on.",
                                       {"sessions": 0}))
            return self.hold(st)
        window = st.protocol.lsi_window_days
        need_lsi = ph.lsi_threshold is not None
        recent = st.recent_lsi() if need_lsi else None
        values = {"latest_session": last.date, "soreness_24h": last.soreness_24h, "lsi_required": need_lsi,
                  "lsi_window_days": window, "today": st.today}
        if last.ref is not None:
            values["latest_ref"] = last.ref
        if need_lsi:
            shown = recent or st.latest_lsi_any()
            values["latest_lsi"] = shown.strength_lsi if shown else None
            values["latest_lsi_date"] = shown.date if shown else None
        sore_missing = last.soreness_24h is None
        lsi_missing = need_lsi and recent is None
        if not sore_missing and not lsi_missing:
            msg = f"The latest session ({iso(last.date)}) has its next-morning soreness report"
            if need_lsi:
                msg += (f", and a strength LSI was measured within {window} days before {iso(st.today)} "
                        f"({fmt(recent.strength_lsi)} on {iso(recent.date)}).")
            else:
                msg += f"; Phase {ph.number} has no strength threshold."
            reasons.append(self.reason("clear", msg, values))
            return None
        parts = []
        if sore_missing:
            parts.append(f"No next-morning soreness report yet for the latest session ({iso(last.date)})")
        if lsi_missing:
            parts.append(self._no_lsi(st, window, capital=not parts))
        reasons.append(self.reason("fired", "; ".join(parts) + ". Never advance on missing data.", values))
        return self.hold(st)

    @staticmethod
    def _no_lsi(st: State, window: int, capital: bool) -> str:
        older = st.latest_lsi_any()
        text = f"no strength LSI measured within {window} days before {iso(st.today)}"
        if older is not None:
            text += f" (the latest, {fmt(older.strength_lsi)}, is from {iso(older.date)})"
        text += f" and Phase {st.phase.number} has a strength threshold"
        return capitalised(text) if capital else text


class LatestBand(RuleCheck):
    """Rule 6: pain from ``pain_min`` to ``pain_max`` or soreness from ``soreness_min`` to ``soreness_max`` on the
    latest session -> hold: tolerated, not a basis for progression."""

    __slots__ = ("pain_min", "pain_max", "soreness_min", "soreness_max")
    params = __slots__

    def __call__(self, st: State, reasons: list):
        pain_lo, pain_hi, sore_lo, sore_hi = self.pain_min, self.pain_max, self.soreness_min, self.soreness_max
        last = st.last
        if last is None:
            reasons.append(self.reason("clear", "No session in this stint.", {}))
            return None
        pain, so = last.pain_during, last.soreness_24h
        pain_hit = pain_lo <= pain <= pain_hi
        so_hit = so is not None and sore_lo <= so <= sore_hi
        values = {"date": last.date, "pain_during": pain, "soreness_24h": so, "pain_min": pain_lo, "pain_max": pain_hi,
                  "soreness_min": sore_lo, "soreness_max": sore_hi}
        if last.ref is not None:
            values["ref"] = last.ref
        day = iso(last.date)
        if not pain_hit and not so_hit:
            so_txt = "not reported" if so is None else str(so)
            if (pain_lo, pain_hi) == (sore_lo, sore_hi):
                msg = (f"Latest session ({day}): pain {pain}, next-morning soreness {so_txt}; "
                       f"neither is {fmt(pain_lo)}-{fmt(pain_hi)}.")
            else:
                msg = (f"Latest session ({day}): pain {pain} (not {fmt(pain_lo)}-{fmt(pain_hi)}), "
                       f"next-morning soreness {so_txt} (not {fmt(sore_lo)}-{fmt(sore_hi)}).")
            reasons.append(self.reason("clear", msg, values))
            return None
        parts = []
        if pain_hit:
            parts.append(f"pain {pain} during the latest session ({day})")
        if so_hit:
            parts.append(f"next-morning soreness {so} after it" if pain_hit
                         else f"next-morning soreness {so} after the latest session ({day})")
        msg = f"{capitalised(' and '.join(parts))}: {fmt(pain_lo)}-{fmt(pain_hi)} is tolerated, not a basis for progression."
        reasons.append(self.reason("fired", msg, values))
        return self.hold(st)


class Difference(RuleCheck):
    """Rule 8: technique on the first reps minus technique on the last reps of the latest session, ``drop_at_least``
    points or more -> hold and cap the reps. Needs both scores."""

    __slots__ = ("drop_at_least",)
    params = __slots__

    def __call__(self, st: State, reasons: list):
        t = self.drop_at_least
        last = st.last
        fresh = last.technique_fresh if last is not None else None
        tired = last.technique_fatigued if last is not None else None
        values = {"technique_fresh": fresh, "technique_fatigued": tired, "drop_at_least": t}
        if last is not None:
            values["date"] = last.date
            if last.ref is not None:
                values["ref"] = last.ref
        if fresh is None or tired is None:
            reasons.append(self.reason(
                "clear", "Technique on the first and on the last reps not both scored in the latest session, "
                "so this rule does not apply.", values))
            return None
        drop = fresh - tired
        values["drop"] = drop
        said = (f"Technique {fmt(fresh)} on the first reps and {fmt(tired)} on the last ({iso(last.date)}): "
                f"a drop of {fmt(drop)} points")
        if drop < t:
            reasons.append(self.reason("clear", f"{said}, below {fmt(t)}.", values))
            return None
        reasons.append(self.reason("fired", f"{said}, {fmt(t)} or more. Technique breaks down under fatigue.",
                                   values))
        rec = Recommendation(
            "cap_reps",
            f"Cap the reps where technique broke down: it fell {fmt(drop)} points from the first to the last reps.",
        )
        return self.hold(st, (rec,))


class LatestAbove(RuleCheck):
    """Rule 9: from Phase ``from_phase`` on, the latest apprehension score (the latest session's, or an assessment
    dated on or after its day) above ``above`` -> hold. Before ``from_phase`` it is listed as clear."""

    __slots__ = ("from_phase", "above")
    params = __slots__

    def __call__(self, st: State, reasons: list):
        from_phase, above = self.from_phase, self.above
        ph = st.phase
        src = st.latest_apprehension()
        a = src.apprehension if src is not None else None
        values = {"apprehension": a, "above": above, "from_phase": from_phase, "applies": ph.number >= from_phase}
        if ph.number < from_phase:
            reasons.append(self.reason(
                "clear", f"Apprehension is checked from Phase {from_phase} on; this plan is in Phase {ph.number}.",
                values))
            return None
        where = "in the latest session" if src is st.last else "in an assessment"
        if a is None:
            reasons.append(self.reason("clear", "No apprehension score in the latest session.", values))
            return None
        if a <= above:
            reasons.append(self.reason(
                "clear", f"Apprehension {fmt(a)} on the H-test {where} ({iso(src.date)}), not above {fmt(above)}.",
                values))
            return None
        values["date"] = src.date
        if src.ref is not None:
            values["ref"] = src.ref
        reasons.append(self.reason(
            "fired", f"Apprehension {fmt(a)} on the H-test {where} ({iso(src.date)}); from Phase "
            f"{from_phase} on it must not be above {fmt(above)}.", values))
        return self.hold(st)
