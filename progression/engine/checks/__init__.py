"""The vocabulary of checks a protocol parameterises (see the package docstring of :mod:`progression.engine`).

``RULE_KINDS`` and ``CRITERION_KINDS`` map each kind's name, as a protocol writes it, to its class.
"""

from .base import ADVANCE, HOLD, REGRESS, Check, CriterionCheck, RuleCheck, State
from .context import ContextLevel, ContextValue
from .criteria import ReadingValue, RecentSessions, StintCount
from .exit import ExitCriteria
from .latest import Difference, LatestAbove, LatestBand, MissingData
from .stint import AnySession, Consecutive, WarningSign
from .strength import Drop

__all__ = [
    "ADVANCE",
    "CRITERION_KINDS",
    "HOLD",
    "REGRESS",
    "RULE_KINDS",
    "Check",
    "CriterionCheck",
    "RuleCheck",
    "State",
]

RULE_KINDS: dict[str, type[RuleCheck]] = {
    "warning_sign": WarningSign,
    "any_session": AnySession,
    "consecutive": Consecutive,
    "drop": Drop,
    "missing_data": MissingData,
    "latest_band": LatestBand,
    "context_level": ContextLevel,
    "difference": Difference,
    "latest_above": LatestAbove,
    "exit_criteria": ExitCriteria,
}

CRITERION_KINDS: dict[str, type[CriterionCheck]] = {
    "recent_sessions": RecentSessions,
    "stint_count": StintCount,
    "reading": ReadingValue,
    "context_value": ContextValue,
}
