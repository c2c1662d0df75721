"""Writes for protocols, plans and decisions. The engine decides; these functions record and apply.

- `protocols`: protocol versions (a save always makes a new one);
- `plans`: start, pause and resume, settings, notes;
- `evaluation`: the engine's decision recorded and applied, stints, late warning signs, the nightly run;
- `decisions`: sign-off (after a re-check), reject, override.

Every evaluation locks the plan row (select_for_update) so two writers never apply two decisions on the same
state; every change bumps `Plan.version`, so a stale form is refused.
"""
from .athlete_data import athlete_anonymise, athlete_export_build, export_filename
from .base import EvidenceChanged, clearance_phase
from .decisions import decision_override, decision_reject, decision_sign_off
from .evaluation import (
    decision_signature,
    plan_check_late_warning,
    plan_evaluate,
    plan_reevaluate_if_changed,
    plan_reevaluate_nightly,
)
from .nightly import plans_reevaluate_nightly
from .plans import (
    alert_without_plan,
    plan_evaluate_for_athlete,
    plan_note_create,
    plan_open_for,
    plan_set_status,
    plan_settings_update,
    plan_start,
)
from .protocols import phase_rows, protocol_create, protocol_new_version

__all__ = [
    "EvidenceChanged", "alert_without_plan", "athlete_anonymise", "athlete_export_build", "export_filename", "clearance_phase", "decision_override", "decision_reject",
    "decision_sign_off", "decision_signature", "phase_rows", "plan_check_late_warning", "plan_evaluate",
    "plan_evaluate_for_athlete", "plan_note_create", "plan_open_for", "plan_reevaluate_if_changed",
    "plan_reevaluate_nightly", "plan_set_status", "plans_reevaluate_nightly", "plan_settings_update", "plan_start", "protocol_create",
    "protocol_new_version",
]
