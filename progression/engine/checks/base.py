"""What every check reads (:class:`State`), the base of every check, and the verdicts a rule returns.

A check is bound once, when the protocol is parsed, to one rule or one exit criterion: its numbers are attributes,
its identity (code, number, title, source) is the one its reasons carry. A rule check is called as
``check(state, reasons) -> verdict | None``: it appends its reason (status "fired" or "clear") and returns ``None``
when clear, or a verdict ``(outcome, to_phase, refer, decided_by, recommendations)`` when it decides. A criterion
check is called as ``check(state) -> Reason`` (status "met", "not_met" or "not_applicable").
"""

from __future__ import annotations

import datetime

from ..types import Context, Outcome, Reason, SessionInput

__all__ = ["ADVANCE", "HOLD", "REGRESS", "Check", "RuleCheck", "State"]

ADVANCE = Outcome.ADVANCE
HOLD = Outcome.HOLD
REGRESS = Outcome.REGRESS


def _by_date(s):
    return s.date


_tuple_new = tuple.__new__


class State:
    """What the checks read for one decision, with small per-decision caches."""

    __slots__ = ("protocol", "phase", "history", "today", "context", "last", "extra", "_lsi", "_lsi_done",
                 "_merged")

    def __init__(self, protocol, phase, history: tuple[SessionInput, ...], today: datetime.date,
                 context: Context, extra_readings: tuple = ()):
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
        """Everything that may carry an LSI, oldest first (see :meth:`merged`)."""
        return self.merged("strength_lsi")

    def latest_apprehension(self):
        """Rule 9's reading: the latest session's H-test score, unless an extra reading (an assessment) dated on
        or after the latest session's day carries a more recent one."""
        last = self.last
        if last is None:
            return None
        best = last if last.apprehension is not None else None
        for r in self.extra:
            if r.apprehension is not None and r.date >= last.date and (best is None or r.date >= best.date):
                best = r
        return best

    def most_recent(self, attr: str, window: int | None, readings: bool):
        """The most recent item carrying ``attr``: of the sessions and, with ``readings``, the extra readings
        merged in. With a ``window``: measured from ``today - window`` days to ``today`` (later ones are
        ignored, earlier ones are too old)."""
        items = self.merged(attr) if readings else self.history
        if window is None:
            for s in reversed(items):
                if getattr(s, attr) is not None:
                    return s
            return None
        today = self.today
        for s in reversed(items):
            if getattr(s, attr) is not None:
                days = (today - s.date).days
                if 0 <= days <= window:
                    return s
                if days > window:
                    return None  # older readings are older still
        return None

    def recent_lsi(self):
        """The most recent LSI measured within the protocol's LSI window before today (cached): as
        ``most_recent("strength_lsi", window, True)``, written out (rule 5 and the LSI criterion read it)."""
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


class Check:
    """A check of the vocabulary bound to one rule or criterion. :meth:`reason` is the one way it writes."""

    __slots__ = ("code", "number", "title", "source")
    reason_kind = "rule"

    def __init__(self, code: str, number: int | None, title: str, source: str):
        self.code = code
        self.number = number
        self.title = title
        self.source = source

    def reason(self, status: str, message: str, values) -> Reason:
        """This check's :class:`Reason`: its code, kind, number, title and source with ``status``, ``message``
        and ``values``."""
        return _tuple_new(Reason, (self.code, self.reason_kind, self.number, self.title, status, message, values,
                                   self.source))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"


class RuleCheck(Check):
    """A decision rule: ``code`` is ``rule.<code>``; ``params`` are the rule's numbers from the protocol."""

    __slots__ = ()
    params: tuple[str, ...] = ()  # the parameter names this kind reads, in the order of the data

    def __init__(self, rule_code: str, number: int, title: str, source: str, params):
        super().__init__("rule." + rule_code, number, title, source)
        for name in self.params:
            setattr(self, name, params[name])

    def hold(self, st: State, recommendations: tuple = ()):
        return (HOLD, st.phase.number, False, self.code, recommendations)

    def regress_target(self, st: State) -> tuple[int, bool]:
        """``regress_phases`` back, never below the first phase; a phase marked ``refer_on_regress`` refers."""
        ph = st.phase
        return max(0, ph.number - self.regress_phases), ph.refer_on_regress

    @staticmethod
    def regress_words(ph, to_phase: int, refer: bool) -> str:
        if to_phase == ph.number:
            text = f"A regression in Phase {ph.number} stays in Phase {ph.number} and starts a new stint."
        else:
            text = f"Back to Phase {to_phase}."
        if refer:
            text += " The athlete had been cleared: refer to the clinician."
        return text


class CriterionCheck(Check):
    """An exit criterion: ``code`` is ``exit.<code>``; ``value`` its threshold in this phase."""

    __slots__ = ("value",)
    reason_kind = "criterion"

    def __init__(self, criterion_code: str, title: str, source: str, value):
        super().__init__("exit." + criterion_code, None, title, source)
        self.value = value
