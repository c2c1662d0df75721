"""Checks that read what the plan knows beside the sessions (:class:`~progression.engine.types.Context`).

* ``context_level`` (rule 7): the EWMA acute:chronic workload ratio at or above ``hold_at`` -> hold (a soft flag,
  never a regression); at ``reduce_volume_at`` or more also recommend reducing next week's volume. Not computed:
  clear.
* ``context_value`` (criterion): a value of the context (``load_pct``, ``days_since_rts``, ``acwr``) at or above
  (``min``) or at or below (``max``) the threshold; when the plan does not know it, "not met" or "not applicable"
  as the criterion says.
"""

from __future__ import annotations

from ..reasons import fmt, plural, template
from ..types import Recommendation
from .base import CriterionCheck, RuleCheck, State

__all__ = ["ContextLevel", "ContextValue"]


class ContextLevel(RuleCheck):
    __slots__ = ("hold_at", "reduce_volume_at")
    params = __slots__

    def __call__(self, st: State, reasons: list):
        hold_at, reduce_at = self.hold_at, self.reduce_volume_at
        acwr = st.context.acwr
        values = {"acwr": acwr, "hold_at": hold_at, "reduce_volume_at": reduce_at}
        if acwr is None:
            reasons.append(self.reason(
                "clear", f"Workload ratio (EWMA ACWR) not computed (it needs {st.protocol.load.min_days} days of "
                "load or a pre-injury baseline), so the load-spike rule does not apply.", values))
            return None
        if acwr < hold_at:
            reasons.append(self.reason("clear", f"Workload ratio (EWMA ACWR) {fmt(acwr)}, below {fmt(hold_at)}.",
                                       values))
            return None
        recs = ()
        msg = (f"Workload ratio (EWMA ACWR) {fmt(acwr)}, at or above {fmt(hold_at)}: a load spike, hold "
               "(never a regression).")
        if acwr >= reduce_at:
            msg += f" At {fmt(reduce_at)} or more, reduce next week's volume."
            recs = (Recommendation(
                "reduce_volume",
                f"Reduce next week's training volume: the workload ratio is {fmt(acwr)} ({fmt(reduce_at)} or more).",
            ),)
        reasons.append(self.reason("fired", msg, values))
        return self.hold(st, recs)


class ContextValue(CriterionCheck):
    """A threshold on a value of the plan's context. ``words``: ``found`` (slots ``{value}``, ``{count}``),
    ``none``; ``missing``: the status when the value is not known."""

    __slots__ = ("field", "at_least", "limit_key", "missing", "found", "none", "counted")

    def __init__(self, code, title, source, value, *, field, compare: str, missing: str, words: dict):
        super().__init__(code, title, source, value)
        self.field = field
        self.at_least = compare == "min"
        self.limit_key = compare
        self.missing = missing
        need = fmt(value)
        self.counted = "{count}" in words["found"]
        self.found = template(words["found"], ("count",) if self.counted else ("value",), need=need)
        self.none = template(words["none"], need=need)()  # no per-decision slot

    def __call__(self, st: State):
        need = self.value
        key = self.field.name
        v = getattr(st.context, key)
        if v is None:
            return self.reason(self.missing, self.none, {key: None, self.limit_key: need})
        ok = v >= need if self.at_least else v <= need
        f = self.field
        msg = self.found(plural(v, f.noun, f.noun_suffix) if self.counted else fmt(v))
        return self.reason("met" if ok else "not_met", msg, {key: v, self.limit_key: need})
