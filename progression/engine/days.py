"""Training days: ISO weekdays (1 = Monday ... 7 = Sunday) and the spacing between them.

Used by the protocol validator (a phase's ``default_days`` must respect its ``min_hours_between``) and by the week
prescription (days a coach chooses are checked the same way; a break is a warning there, never refused).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DAY_NAMES", "gaps", "spacing_problems"]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def gaps(days: Sequence[int]) -> list[tuple[int, int, int]]:
    """(day, next day, gap in days) for consecutive sessions, including the wrap into next week."""
    n = len(days)
    if n < 2:
        return []
    out = []
    for i in range(n):
        a = days[i]
        b = days[(i + 1) % n]
        out.append((a, b, b - a if i + 1 < n else b + 7 - a))
    return out


def spacing_problems(days: Sequence[int], min_hours_between: int | None) -> list[str]:
    """Plain-words problems with the spacing of sorted ISO weekdays (empty if none)."""
    if not min_hours_between or len(days) < 2:
        return []
    out = []
    n = len(days)
    for i, (a, b, gap) in enumerate(gaps(days)):
        if gap * 24 < min_hours_between:
            into = " (into next week)" if i + 1 == n else ""
            out.append(
                f"{DAY_NAMES[a - 1]} and {DAY_NAMES[b - 1]}{into} are {gap * 24} h apart; "
                f"at least {min_hours_between} h are needed between sessions."
            )
    return out
