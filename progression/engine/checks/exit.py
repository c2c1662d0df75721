"""``exit_criteria`` (rule 10): every exit criterion of the phase met -> advance (from the last phase: discharge);
otherwise hold, naming every criterion that is not met. Always decides; lists one reason per criterion after its
own."""

from __future__ import annotations

from ..types import Recommendation
from .base import ADVANCE, HOLD, RuleCheck, State

__all__ = ["ExitCriteria"]


def _sign_off(ph) -> tuple:
    if not ph.sign_off_to_advance:
        return ()
    text = f"A clinician must sign off before the plan leaves Phase {ph.number}."
    if ph.sign_off_note:
        text += f" {ph.sign_off_note}."
    return (Recommendation("clinician_sign_off", text),)


class ExitCriteria(RuleCheck):
    __slots__ = ()

    def __call__(self, st: State, reasons: list):
        ph = st.phase
        crit_reasons = [check(st) for check in ph.exit_checks]
        not_met = [r for r in crit_reasons if r.status == "not_met"]
        values = {"met": [r.code for r in crit_reasons if r.status == "met"], "not_met": [r.code for r in not_met],
                  "not_applicable": [r.code for r in crit_reasons if r.status == "not_applicable"]}
        total = len(crit_reasons)
        if not not_met:
            to_phase = ph.number + 1 if ph.number < st.protocol.last_phase else None
            values["to_phase"] = to_phase
            where = (f"advance to Phase {to_phase}." if to_phase is not None
                     else "advancing from the last phase discharges the plan, which is then complete.")
            applicable = total - len(values["not_applicable"])
            noun = "exit criterion" if applicable == 1 else "exit criteria"
            reasons.append(self.reason("fired", f"All {applicable} {noun} of Phase {ph.number} met: {where}", values))
            reasons.extend(crit_reasons)
            return (ADVANCE, to_phase, False, self.code, _sign_off(ph))
        values["to_phase"] = ph.number
        titles = "; ".join(r.title for r in not_met)
        msg = f"Hold in Phase {ph.number}: {len(not_met)} of {total} exit criteria not met ({titles})."
        reasons.append(self.reason("fired", msg, values))
        reasons.extend(crit_reasons)
        return (HOLD, ph.number, False, not_met[0].code, ())
