"""Technique checklists a coach ticks for a session.

P1-P3 use the drill checklist; from P4 on the 12-item Sprint Mechanics Assessment Score (S-MAS). The S-MAS
items below are this app's short wording of the twelve sprint-mechanics errors the S-MAS scores (Bramah et al.,
2023-2025: arm action, trunk, pelvis, front-side and back-side leg mechanics, foot strike); a clinic should
check the wording against the published tool. The score is the share of items performed correctly, so
5 errors of 12 = 58.3 %.
"""
from decimal import ROUND_FLOOR, Decimal

DRILL_CHECKLIST = (
    ("tall_posture", "Tall posture, hips high"),
    ("neutral_pelvis", "Neutral pelvis (no sitting back)"),
    ("dorsiflexed_foot", "Foot dorsiflexed (toes up)"),
    ("knee_drive", "Knee drives to hip height"),
    ("strike_under_hips", "Foot strikes under the hips"),
    ("arm_action", "Arms drive from the shoulders"),
    ("rhythm", "Even rhythm, both sides alike"),
    ("relaxed", "Relaxed face, neck and hands"),
)

SMAS_CHECKLIST = (
    ("arm_swing", "Arm swing stays in its lane (no crossing the midline)"),
    ("arm_range", "Full arm range, driven from the shoulder"),
    ("trunk_lateral", "No lateral trunk flexion"),
    ("trunk_forward", "No excessive forward trunk lean at top speed"),
    ("pelvic_tilt", "No excessive anterior pelvic tilt"),
    ("pelvic_drop", "No lateral pelvic drop"),
    ("thigh_separation", "Good thigh separation (front-side mechanics)"),
    ("overstride", "No overstriding: foot lands close under the hips"),
    ("knee_contact", "Knee not locked straight at foot contact"),
    ("foot_strike", "Foot strike on the forefoot, not the heel"),
    ("backside", "No excessive back-side leg swing after toe-off"),
    ("heel_recovery", "Heel recovers high and fast under the hips"),
)

CHECKLISTS = {"drill": DRILL_CHECKLIST, "smas": SMAS_CHECKLIST}


def checklist_for_phase(phase: int | None) -> str:
    return "smas" if phase is not None and phase >= 4 else "drill"


def score(kind: str, correct_codes) -> Decimal:
    """% of the checklist performed correctly, to one decimal, rounded down: a score shown never meets a threshold
    (of one decimal) that the exact share misses."""
    items = CHECKLISTS[kind]
    codes = {code for code, _ in items}
    unknown = set(correct_codes) - codes
    if unknown:
        raise ValueError(f"Unknown checklist items: {sorted(unknown)}")
    value = Decimal(len(set(correct_codes))) / Decimal(len(items)) * 100
    return value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
