"""``drop``: a reading falling against the best earlier reading or against an entry level (rule 4).

Reads every LSI of the stint (sessions and, app only, assessments, merged by date). A reading below ``lsi_below``
that is ``drop_from_best`` or more points under the highest earlier reading of the same test method, or any reading
``below_entry`` or more points under the phase's entry level (the previous phase's LSI exit threshold; none in the
first phases) -> regress ``regress_phases`` and retest. Every finding is listed.
"""

from __future__ import annotations

from ..reasons import fmt, iso, session_values
from ..types import Recommendation
from .base import REGRESS, RuleCheck, State

__all__ = ["Drop"]

_RETEST = Recommendation(
    "retest_strength",
    "Retest hamstring strength with the same test method to confirm the fall before progressing again.",
)


def _method_words(m: str | None) -> str:
    return f"the same test ({m})" if m else "the same test"


class Drop(RuleCheck):
    __slots__ = ("lsi_below", "drop_from_best", "below_entry", "regress_phases")
    params = __slots__

    def findings(self, st: State, entry) -> tuple[list, list]:
        """(every LSI of the stint, [(branch, reading, best earlier reading or None)])."""
        below, drop, under_entry = self.lsi_below, self.drop_from_best, self.below_entry
        best: dict = {}
        readings, found = [], []
        for s in st.lsi_sources():
            v = s.strength_lsi
            if v is None:
                continue
            readings.append(v)
            b = best.get(s.strength_method)
            if b is not None and v < below and b.strength_lsi - v >= drop:
                found.append(("best", s, b))
            if entry is not None and entry - v >= under_entry:
                found.append(("entry", s, None))
            if b is None or v > b.strength_lsi:
                best[s.strength_method] = s
        return readings, found

    def __call__(self, st: State, reasons: list):
        ph = st.phase
        entry = ph.entry_lsi
        readings, found = self.findings(st, entry)
        values = {"readings": readings, "entry_level": entry, "lsi_below": self.lsi_below,
                  "drop_from_best": self.drop_from_best, "below_entry": self.below_entry}
        if not found:
            reasons.append(self.reason("clear", self._clear_message(readings, entry, ph.number), values))
            return None
        parts, listed = [], []
        for branch, s, b in found:
            part, item = self._finding(branch, s, b, entry, ph.number)
            parts.append(part)
            listed.append(item)
        to_phase, refer = self.regress_target(st)
        del values["readings"]
        values = {"findings": listed, **values, "to_phase": to_phase}
        msg = f"{'; '.join(parts)}: strength is falling. {self.regress_words(ph, to_phase, refer)} Retest strength."
        reasons.append(self.reason("fired", msg, values))
        return (REGRESS, to_phase, refer, self.code, (_RETEST,))

    def _clear_message(self, readings: list, entry, phase: int) -> str:
        if not readings:
            return "No strength LSI reading in this stint."
        msg = (f"Strength LSI {'reading' if len(readings) == 1 else 'readings'} "
               f"{', '.join(fmt(v) for v in readings)}: no reading below {fmt(self.lsi_below)} is "
               f"{fmt(self.drop_from_best)} or more points under an earlier best of the same test")
        if entry is None:
            return msg + f"; Phase {phase} has no entry level."
        return msg + f", and none is {fmt(self.below_entry)} or more below Phase {phase}'s entry level of {fmt(entry)}."

    def _finding(self, branch: str, s, b, entry, phase: int) -> tuple[str, dict]:
        v = s.strength_lsi
        if branch == "best":
            diff = b.strength_lsi - v
            part = (f"LSI {fmt(v)} on {iso(s.date)} is {fmt(diff)} points below the best earlier reading of "
                    f"{_method_words(s.strength_method)}, {fmt(b.strength_lsi)} on {iso(b.date)} "
                    f"({fmt(self.drop_from_best)} or more down, and below {fmt(self.lsi_below)})")
            return part, session_values(s, branch="drop_from_best", strength_lsi=v, strength_method=s.strength_method,
                                        best_earlier=b.strength_lsi, best_earlier_date=b.date, drop=diff)
        diff = entry - v
        part = (f"LSI {fmt(v)} on {iso(s.date)} is {fmt(diff)} points below Phase {phase}'s entry level of "
                f"{fmt(entry)} ({fmt(self.below_entry)} or more below)")
        return part, session_values(s, branch="below_entry", strength_lsi=v, entry_level=entry, shortfall=diff)
