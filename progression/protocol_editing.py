"""Editing a protocol's numbers as a form: every exit threshold of every phase and every rule parameter.

Pure helpers over the definition dict: `editable_numbers` lists what can be edited, `apply_numbers` returns a new
definition with the edited values. The engine validates the result (protocol_from_dict) before it is stored.
"""
import copy
import json
from decimal import Decimal

NON_NUMERIC_RULE_KEYS = {"code", "number", "title", "description", "source", "source_note", "refer"}


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def editable_numbers(definition: dict) -> list[dict]:
    """[{key, group, label, value}] for every numeric threshold, in protocol order."""
    rows = []
    for phase in definition.get("phases", []):
        for code, raw in (phase.get("exit") or {}).items():
            value = raw.get("value") if isinstance(raw, dict) else raw
            if _is_number(value):
                rows.append({"key": f"phase.{phase['number']}.{code}", "group": f"P{phase['number']} {phase['name']}",
                             "label": code.replace("_", " "), "value": value})
    for rule in definition.get("rules", []):
        for param, value in rule.items():
            if param in NON_NUMERIC_RULE_KEYS or not _is_number(value):
                continue
            rows.append({"key": f"rule.{rule['code']}.{param}", "group": f"Rule {rule.get('number', '')}: {rule.get('title', rule['code'])}",
                         "label": param.replace("_", " "), "value": value})
    return rows


def apply_numbers(definition: dict, values: dict) -> dict:
    """A copy of `definition` with the numbers in `values` (keys from editable_numbers) replaced."""
    result = copy.deepcopy(definition)
    phases = {p["number"]: p for p in result.get("phases", [])}
    rules = {r["code"]: r for r in result.get("rules", [])}
    for key, value in values.items():
        if value is None:
            continue
        number = int(value) if Decimal(value) == Decimal(value).to_integral_value() else float(value)
        kind, owner, name = key.split(".", 2)
        if kind == "phase":
            exit_ = phases[int(owner)]["exit"]
            if isinstance(exit_[name], dict):
                exit_[name]["value"] = number
            else:
                exit_[name] = number
        else:
            rules[owner][name] = number
    return result


def pretty(definition: dict) -> str:
    return json.dumps(definition, indent=1, ensure_ascii=False)
