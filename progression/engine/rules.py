"""Decision rules: the built-in rule codes, the parameters of each rule kind, and the ``rules`` section's validator.

A rule is ``{code, number, title, source, source_note?, description?, <parameters>}``. The ten built-in codes
(:data:`BUILTIN_RULES`) name their kind of check; a clinic's own rule takes another code and names its kind in
``check`` (any kind but ``missing_data`` and ``exit_criteria``, which a protocol has once). ``late_warning``
(rules that read each session on its own: ``warning_sign`` and ``any_session``; true by default for them) says
whether a warning sign that arrives late, for a session of an earlier stint, is checked against the rule.

The rules run in the order of the data; the first that decides wins; the last must be ``exit_criteria``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .checks import RULE_KINDS, RuleCheck, State
from .reasons import fmt
from .validation import (
    RANGES,
    DataError,
    cite,
    flag,
    got,
    in_range,
    integer,
    keys,
    number,
    obj,
    sequence,
    text,
)

__all__ = ["BUILTIN_RULES", "LATE_WARNING_KINDS", "RULE_KIND_PARAMS", "RULE_PARAMS", "RuleSpec", "State", "fmt",
           "parse_rules"]

# kind of each parameter: "num" (a number >= 0), "int1" (an integer >= 1), "int2" (>= 2), "bool", "phase"
RULE_KIND_PARAMS: dict[str, dict[str, str]] = {
    "warning_sign": {"pain_at_least": "num", "soreness_at_least": "num", "to_phase": "phase", "refer": "bool"},
    "any_session": {"pain_at_least": "num", "soreness_at_least": "num", "regress_phases": "int1"},
    "consecutive": {"soreness_at_least": "num", "consecutive": "int2", "regress_phases": "int1"},
    "drop": {"lsi_below": "num", "drop_from_best": "num", "below_entry": "num", "regress_phases": "int1"},
    "missing_data": {},
    "latest_band": {"pain_min": "num", "pain_max": "num", "soreness_min": "num", "soreness_max": "num"},
    "context_level": {"hold_at": "num", "reduce_volume_at": "num"},
    "difference": {"drop_at_least": "num"},
    "latest_above": {"from_phase": "phase", "above": "num"},
    "exit_criteria": {},
}

#: built-in rule code -> its kind of check
BUILTIN_RULES: dict[str, str] = {
    "red_flag": "warning_sign",
    "pain_or_soreness_5": "any_session",
    "soreness_consecutive": "consecutive",
    "strength_falling": "drop",
    "missing_data": "missing_data",
    "pain_or_soreness_3_4": "latest_band",
    "load_spike": "context_level",
    "technique_fatigue": "difference",
    "apprehension": "latest_above",
    "exit_criteria": "exit_criteria",
}

#: built-in rule code -> its parameters (the numbers a protocol gives it)
RULE_PARAMS: dict[str, dict[str, str]] = {code: RULE_KIND_PARAMS[kind] for code, kind in BUILTIN_RULES.items()}

#: the kinds a late warning sign can be checked against (they read each session on its own)
LATE_WARNING_KINDS = ("warning_sign", "any_session")
_OWN_KINDS = tuple(k for k in RULE_KIND_PARAMS if k not in ("missing_data", "exit_criteria"))
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_BANDS = (("pain_min", "pain_max"), ("soreness_min", "soreness_max"))


@dataclass(frozen=True, slots=True, eq=False)
class RuleSpec:
    """One decision rule: ``check`` is its bound check of the vocabulary, ``params`` its numbers."""

    code: str
    number: int
    title: str
    description: str
    source: str
    params: Mapping[str, Any]
    kind: str = ""
    late_warning: bool = False
    check: RuleCheck | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"RuleSpec({self.code!r}, number={self.number})"


def _param(kind: str, v: Any, path: str, n_phases: int) -> Any:
    if kind == "num":
        return number(v, path)
    if kind == "int1":
        return integer(v, path, minimum=1)
    if kind == "int2":
        return integer(v, path, minimum=2)
    if kind == "bool":
        return flag(v, path)
    return integer(v, path, minimum=0, maximum=n_phases - 1)  # "phase"


def _kind(r: Mapping, path: str, seen: set) -> tuple[str, str]:
    code = r.get("code")
    if code in seen:
        raise DataError(f"{path}.code", f"duplicate rule {got(code)}")
    if code in BUILTIN_RULES:
        return code, BUILTIN_RULES[code]
    if "check" not in r or not isinstance(code, str) or not _CODE_RE.match(code):
        raise DataError(f"{path}.code", f"unknown rule code {got(code)} (known: {', '.join(BUILTIN_RULES)}; a "
                                        "clinic's own rule needs a check)")
    kind = r["check"]
    if kind not in _OWN_KINDS:
        raise DataError(f"{path}.check", f"must be one of {', '.join(_OWN_KINDS)}, got {got(kind)}")
    return code, kind


def _params(r: Mapping, path: str, kind: str, n_phases: int) -> dict:
    params = {k: _param(pk, r[k], f"{path}.{k}", n_phases) for k, pk in RULE_KIND_PARAMS[kind].items()}
    for k, value in params.items():
        if k in RANGES:
            in_range(value, f"{path}.{k}", k)
    if kind == "latest_band":
        for a, b in _BANDS:
            if params[a] > params[b]:
                raise DataError(f"{path}.{a}", f"must not be above {b}")
    return params


def parse_rule(r: Any, path: str, seen: set, numbers: set, sources: Mapping, n_phases: int) -> RuleSpec:
    r = obj(r, path)
    code, kind = _kind(r, path, seen)
    own = code not in BUILTIN_RULES
    keys(r, path, ("code", "number", "title", "source", *RULE_KIND_PARAMS[kind]),
         ("description", "source_note", "late_warning", *(("check",) if own else ())))
    number_ = integer(r["number"], f"{path}.number", minimum=1)
    if number_ in numbers:
        raise DataError(f"{path}.number", f"duplicate rule number {number_}")
    params = _params(r, path, kind, n_phases)
    late = flag(r.get("late_warning"), f"{path}.late_warning", default=kind in LATE_WARNING_KINDS)
    if late and kind not in LATE_WARNING_KINDS:
        raise DataError(f"{path}.late_warning", f"only rules of kind {' or '.join(LATE_WARNING_KINDS)} can "
                                                "check a late warning sign")
    title = text(r["title"], f"{path}.title")
    source = cite(r["source"], r.get("source_note"), path, sources)
    seen.add(code)
    numbers.add(number_)
    return RuleSpec(code=code, number=number_, title=title,
                    description=text(r.get("description"), f"{path}.description", optional=True) or "",
                    source=source, params=MappingProxyType(params), kind=kind, late_warning=late,
                    check=RULE_KINDS[kind](code, number_, title, source, params))


def parse_rules(raw: Any, sources: Mapping[str, str], n_phases: int) -> tuple[RuleSpec, ...]:
    seen: set = set()
    numbers: set = set()
    rules = tuple(parse_rule(r, f"rules[{i}]", seen, numbers, sources, n_phases)
                  for i, r in enumerate(sequence(raw, "rules")))
    if not rules or rules[-1].kind != "exit_criteria":
        raise DataError("rules", 'the last rule must be "exit_criteria"')
    return rules
