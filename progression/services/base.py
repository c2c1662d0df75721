"""What the plan and decision services share: locking, version checks, the clinician gate, clearance."""

from django.core.exceptions import PermissionDenied

from core.access import access_for
from core.exceptions import Conflict

from ..models import Plan

PLAN_AUDIT_FIELDS = [
    "current_phase", "stint", "stint_started_at", "status", "clearance_date", "completed_on", "review_pending",
    "version", "advance_requires_signoff", "baseline_weekly_load",
]


REVIEW_AUDIT_FIELDS = ["status", "reviewed_by", "reviewed_at", "review_reason"]


def _require_clinician(user, organisation_id):
    if not access_for(user).can_manage_org(organisation_id):
        raise PermissionDenied("Only a clinician of this organisation can do that.")


def _check_version(plan: Plan, expected_version):
    if expected_version is not None and int(expected_version) != plan.version:
        raise Conflict(
            "This plan was changed by someone else while you were looking at it. "
            "Reload the page to see the current state; nothing was saved.",
            current=plan,
        )


def _locked(plan_or_id) -> Plan:
    pk = getattr(plan_or_id, "pk", plan_or_id)
    return Plan.objects.select_for_update().select_related("injury__athlete__organisation", "protocol").get(pk=pk)


OPEN_PLAN_EXISTS = "This injury already has an open plan. Complete or close it first."


class EvidenceChanged(Conflict):
    """A sign-off refused because the engine, re-run on the evidence as it stands, no longer advances.

    The re-check is recorded (it supersedes the proposal) before this is raised: `recheck` is that decision.
    """

    def __init__(self, message: str, *, recheck):
        super().__init__(message, current=recheck)
        self.recheck = recheck


def clearance_phase(protocol) -> int | None:
    """The phase whose advance is return-to-sport clearance: the protocol's data says (`"clearance": true` on a
    phase; by default the phase before the last). None for a protocol without one."""
    return protocol.clearance_phase


def _needs_clearance_date(protocol, phase: int) -> bool:
    """A plan in a phase after clearance (surveillance) needs the day of clearance: its exit counts from it."""
    return protocol.after_clearance(phase)


def is_red_flag(protocol, decided_by: str) -> bool:
    """The decision was taken by the protocol's warning-sign rule (the default's rule 1, "red flag"): the clinician
    must review before the plan makes progress again."""
    rule = protocol.rule(decided_by.removeprefix("rule.")) if decided_by.startswith("rule.") else None
    return rule is not None and rule.kind == "warning_sign"
