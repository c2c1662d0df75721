"""Reads of protocols, plans, decisions and what the pages and tasks show of them, scoped to the acting user.

- `plans`: protocols, plans, decisions (the scoped querysets and getters);
- `roster`: the clinician's roster, one row per athlete;
- `week`: a plan's week prescription and the coach's week;
- `charts`: a plan's series and thresholds for the charts, and its milestones;
- `bench`: a scenario file replayed through a stored protocol;
- `projection`: the projected return-to-sport date of many plans, in a constant number of queries.
- `audit`: an athlete's audit trail, for the clinicians of the organisation.
"""
from .audit import AUDIT_KINDS, audit_lookups, audit_trail
from .bench import run_bench
from .charts import PlanSeries, plan_milestones, plan_series
from .plans import (
    decision_get,
    decision_latest,
    decision_list,
    plan_get,
    plan_latest_for_athlete,
    plan_list,
    plan_open_for_athlete,
    plan_phase_track,
    plans_attach_latest_decisions,
    protocol_edit_base,
    protocol_edit_slug,
    protocol_get,
    protocol_latest,
    protocol_list,
)
from .projection import projected_returns
from .roster import ROSTER_ORDERINGS, roster, roster_row_facts
from .week import next_training_day, plan_day, plan_week, week_rows

__all__ = [
    "AUDIT_KINDS", "audit_lookups", "audit_trail",
    "ROSTER_ORDERINGS", "PlanSeries", "decision_get", "decision_latest", "decision_list", "next_training_day",
    "plan_day", "plan_get", "plan_latest_for_athlete", "plan_list", "plan_milestones", "plan_open_for_athlete", "plan_phase_track",
    "plan_series", "plans_attach_latest_decisions", "plan_week", "protocol_edit_base", "protocol_edit_slug",
    "protocol_get", "protocol_latest", "projected_returns", "protocol_list", "roster", "roster_row_facts",
    "run_bench", "week_rows",
]
