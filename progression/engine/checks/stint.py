"""Rule checks that read every session of the stint.

* ``warning_sign``: a red flag, or pain / soreness at or above a level, on any session -> regress to a phase and
  refer (rule 1).
* ``any_session``: pain or soreness at or above a level on any session -> regress n phases (rule 2).
* ``consecutive``: next-morning soreness at or above a level on k sessions in a row -> regress n phases (rule 3).
"""

from __future__ import annotations

from ..reasons import WORDS, capitalised, fmt, iso, session_values
from .base import REGRESS, RuleCheck, State

__all__ = ["AnySession", "Consecutive", "WarningSign"]


def _either(pain_t, sore_t) -> str:
    if pain_t == sore_t:
        return f"pain or soreness of {fmt(pain_t)} or more"
    return f"pain of {fmt(pain_t)} or more or soreness of {fmt(sore_t)} or more"


def _in_stint(n: int) -> str:
    return "in the stint's only session" if n == 1 else f"in the stint's {n} sessions"


class _OnAnySession(RuleCheck):
    """Scans the stint for sessions at or above the pain / soreness levels (and, with ``flag``, the red flag)."""

    __slots__ = ("pain_at_least", "soreness_at_least", "either")
    flag = False

    def __init__(self, *args):
        super().__init__(*args)
        self.either = _either(self.pain_at_least, self.soreness_at_least)

    def scan(self, history) -> tuple[list, dict | None]:
        """(the sessions that hit, the values of a clear reason when none does)."""
        pain_level, soreness_level, flag = self.pain_at_least, self.soreness_at_least, self.flag
        hits = []
        max_pain = max_sore = None
        for s in history:
            pain, so = s.pain_during, s.soreness_24h
            if max_pain is None or pain > max_pain:
                max_pain = pain
            if so is not None and (max_sore is None or so > max_sore):
                max_sore = so
            if (flag and s.red_flag) or pain >= pain_level or (so is not None and so >= soreness_level):
                hits.append(s)
        if hits:
            return hits, None
        return hits, {"sessions": len(history), "max_pain": max_pain, "max_soreness": max_sore,
                      "pain_at_least": pain_level, "soreness_at_least": soreness_level}

    def fired_values(self, found: list, to_phase: int) -> dict:
        return {"sessions": found, "pain_at_least": self.pain_at_least, "soreness_at_least": self.soreness_at_least,
                "to_phase": to_phase}


class WarningSign(_OnAnySession):
    """Rule 1: a red flag, or pain / soreness at ``pain_at_least`` / ``soreness_at_least`` or more, on any
    session of the stint -> regress to ``to_phase`` (never forward), referring when ``refer`` (or when the phase
    refers on regress)."""

    __slots__ = ("to_phase", "refer")
    params = ("pain_at_least", "soreness_at_least", "to_phase", "refer")
    flag = True

    def __call__(self, st: State, reasons: list):
        hist = st.history
        hits, clear = self.scan(hist)
        if not hits:
            reasons.append(self.reason(
                "clear", f"No red flag reported, and no {self.either}, {_in_stint(len(hist))}.", clear))
            return None
        ph = st.phase
        to_phase = min(self.to_phase, ph.number)
        refer = self.refer or ph.refer_on_regress
        parts = [f"{iso(s.date)}: {', '.join(self._why(s))}" for s in hits]
        found = [session_values(s, red_flag=s.red_flag, pain_during=s.pain_during, soreness_24h=s.soreness_24h)
                 for s in hits]
        msg = f"Red flag on {'; '.join(parts)} (a red flag, or {self.either}). Back to Phase {to_phase}"
        msg += (" and refer to the clinician; no further progress until a clinician has reviewed the plan."
                if refer else ".")
        reasons.append(self.reason("fired", msg, self.fired_values(found, to_phase)))
        return (REGRESS, to_phase, refer, self.code, ())

    def _why(self, s) -> list[str]:
        why = []
        if s.red_flag:
            why.append("red flag reported (sharp pain, a pop, forced to stop or new bruising)")
        if s.pain_during >= self.pain_at_least:
            why.append(f"pain {s.pain_during} during the session")
        if s.soreness_24h is not None and s.soreness_24h >= self.soreness_at_least:
            why.append(f"next-morning soreness {s.soreness_24h}")
        return why


class AnySession(_OnAnySession):
    """Rule 2: pain or soreness at ``pain_at_least`` / ``soreness_at_least`` or more on any session of the stint
    -> regress ``regress_phases`` (never below the first phase)."""

    __slots__ = ("regress_phases",)
    params = ("pain_at_least", "soreness_at_least", "regress_phases")

    def __call__(self, st: State, reasons: list):
        hist = st.history
        hits, clear = self.scan(hist)
        if not hits:
            reasons.append(self.reason("clear", f"No {self.either} {_in_stint(len(hist))}.", clear))
            return None
        parts = []
        for s in hits:
            so = s.soreness_24h
            if s.pain_during >= self.pain_at_least:
                parts.append(f"pain {s.pain_during} during the session on {iso(s.date)}")
            if so is not None and so >= self.soreness_at_least:
                parts.append(f"next-morning soreness {so} after the session on {iso(s.date)}")
        found = [session_values(s, pain_during=s.pain_during, soreness_24h=s.soreness_24h) for s in hits]
        to_phase, refer = self.regress_target(st)
        msg = (f"{capitalised('; '.join(parts))} ({self.either} is beyond what is tolerated). "
               f"{self.regress_words(st.phase, to_phase, refer)}")
        reasons.append(self.reason("fired", msg, self.fired_values(found, to_phase)))
        return (REGRESS, to_phase, refer, self.code, ())


class Consecutive(RuleCheck):
    """Rule 3: next-morning soreness of ``soreness_at_least`` or more on ``consecutive`` sessions in a row
    (adjacent in the stint; a lower score or a session with no report breaks the run) -> regress
    ``regress_phases``."""

    __slots__ = ("soreness_at_least", "consecutive", "regress_phases")
    params = __slots__

    def __call__(self, st: State, reasons: list):
        t, k = self.soreness_at_least, self.consecutive
        hist = st.history
        end = -1
        run = 0
        for i, s in enumerate(hist):
            so = s.soreness_24h
            if so is not None and so >= t:
                run += 1
                if run >= k:
                    end = i
                    break
            else:
                run = 0  # a lower score, or no report, breaks the run
        words = WORDS.get(k, str(k))
        if end < 0:
            reasons.append(self.reason(
                "clear", f"Next-morning soreness was not {fmt(t)} or more on {words} sessions in a row "
                "(a session with no report breaks a run).", {"soreness_at_least": t, "consecutive": k}))
            return None
        run = hist[end - k + 1 : end + 1]
        listed = [f"{s.soreness_24h} on {iso(s.date)}" for s in run]
        joined = ", ".join(listed[:-1]) + " and " + listed[-1]
        to_phase, refer = self.regress_target(st)
        msg = (f"Next-morning soreness {joined}: {words} sessions in a row at {fmt(t)} or more; "
               f"soreness is not settling overnight. {self.regress_words(st.phase, to_phase, refer)}")
        values = {"sessions": [session_values(s, soreness_24h=s.soreness_24h) for s in run],
                  "soreness_at_least": t, "consecutive": k, "to_phase": to_phase}
        reasons.append(self.reason("fired", msg, values))
        return (REGRESS, to_phase, refer, self.code, ())
