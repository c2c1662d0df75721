"""Editing a protocol's numbers as a form, and saying what changed between two versions.

Pure helpers over the definition dict (no Django, no database):

- `editable_numbers` lists what the numbers form edits: every exit threshold of every phase, each phase's sessions a
  week, and every numeric rule parameter;
- `apply_numbers` returns a new definition with the edited values (the engine validates the result,
  protocol_from_dict, before it is stored);
- `protocol_changes` compares two definitions and lists, in plain words, what differs: "P3 exit: LSI >= 90 -> 92",
  "P4 sessions/week 2 -> 3", "Rule 1 (red flag): pain at least 7 -> 8".
"""
import copy
import json
from decimal import Decimal, InvalidOperation

NON_NUMERIC_RULE_KEYS = {"code", "number", "title", "description", "source", "source_note", "refer"}

# Short names of the exit criteria, as a clinician reads them: "LSI >= 90".
EXIT_LABELS = {
    "min_sessions": "clean sessions",
    "max_pain": "pain",
    "max_soreness": "soreness",
    "min_lsi": "LSI",
    "min_technique": "technique",
    "min_peak_speed": "peak speed %",
    "min_efforts_95": "efforts at 95%+",
    "min_full_sessions": "full sessions",
    "max_apprehension": "apprehension",
    "min_load_pct": "load % baseline",
    "min_days_since_rts": "days since RTS",
}

PHASE_FIELD_LABELS = {
    "name": "name",
    "focus": "focus",
    "description": "description",
    "intensity_pct": "intensity %",
    "min_hours_between": "hours between sessions",
    "spacing_note": "spacing note",
    "default_days": "default days",
    "sign_off_to_advance": "sign-off to advance",
    "sign_off_note": "sign-off note",
    "refer_on_regress": "refer on regress",
}

SESSIONS_PER_WEEK = "sessions_per_week"
DEFAULT_DAYS = "default_days"
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # ISO weekdays 1-7
# Top-level parts that always differ between versions or are not content.
IGNORED_TOP_LEVEL = {"slug", "version", "phases", "rules"}


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def exit_label(code: str) -> str:
    """'min_lsi' -> 'LSI >=', 'max_pain' -> 'pain <='; an unknown code reads as its words."""
    name = EXIT_LABELS.get(code) or code.removeprefix("min_").removeprefix("max_").replace("_", " ")
    if code.startswith("min_"):
        return f"{name} >="
    if code.startswith("max_"):
        return f"{name} <="
    return name


def _exit_value(raw):
    return raw.get("value") if isinstance(raw, dict) else raw


def editable_numbers(definition: dict) -> list[dict]:
    """[{key, group, label, value, kind}] for every numeric threshold, in protocol order.

    kind is "number", or "days" for a phase's default training days (a list of ISO weekdays): they go with the
    sessions a week, which the engine checks them against.
    """
    rows = []
    for phase in definition.get("phases", []):
        group = f"P{phase['number']} {phase['name']}"
        for code, raw in (phase.get("exit") or {}).items():
            value = _exit_value(raw)
            if _is_number(value):
                rows.append({"key": f"phase.{phase['number']}.{code}", "group": group,
                             "label": f"Exit: {exit_label(code)}", "value": value, "kind": "number"})
        spw = phase.get(SESSIONS_PER_WEEK)
        if isinstance(spw, dict):
            for end in ("min", "max"):
                if _is_number(spw.get(end)):
                    rows.append({"key": f"phase.{phase['number']}.{SESSIONS_PER_WEEK}.{end}", "group": group,
                                 "label": f"Sessions a week ({end})", "value": spw[end], "kind": "number"})
            days = phase.get(DEFAULT_DAYS)
            rows.append({"key": f"phase.{phase['number']}.{DEFAULT_DAYS}", "group": group,
                         "label": "Default training days", "value": list(days) if isinstance(days, list) else [],
                         "kind": "days"})
    for rule in definition.get("rules", []):
        for param, value in rule.items():
            if param in NON_NUMERIC_RULE_KEYS or not _is_number(value):
                continue
            rows.append({"key": f"rule.{rule['code']}.{param}", "group": f"Rule {rule.get('number', '')}: {rule.get('title', rule['code'])}",
                         "label": param.replace("_", " "), "value": value, "kind": "number"})
    return rows


def _as_number(value):
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def apply_numbers(definition: dict, values: dict) -> dict:
    """A copy of `definition` with the numbers in `values` (keys from editable_numbers) replaced."""
    result = copy.deepcopy(definition)
    phases = {p["number"]: p for p in result.get("phases", [])}
    rules = {r["code"]: r for r in result.get("rules", [])}
    for key, value in values.items():
        kind, owner, name = key.split(".", 2)
        if kind == "phase" and name == DEFAULT_DAYS:
            # No days chosen: the engine derives them from the sessions a week and the spacing.
            days = sorted({int(d) for d in value or []})
            phase = phases[int(owner)]
            if days:
                phase[DEFAULT_DAYS] = days
            elif DEFAULT_DAYS in phase:
                phase[DEFAULT_DAYS] = None
            continue
        if value is None:
            continue
        number = _as_number(value)
        if kind == "phase":
            phase = phases[int(owner)]
            if name.startswith(f"{SESSIONS_PER_WEEK}."):
                phase[SESSIONS_PER_WEEK][name.split(".", 1)[1]] = number
                continue
            exit_ = phase["exit"]
            if isinstance(exit_[name], dict):
                exit_[name]["value"] = number
            else:
                exit_[name] = number
        else:
            rules[owner][name] = number
    return result


def pretty(definition: dict) -> str:
    return json.dumps(definition, indent=1, ensure_ascii=False)


# --- what changed -----------------------------------------------------------------------------------------

def _fmt(value) -> str:
    """A value as a person writes it: 90, 1.5, 75-90, "text", none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_number(value):
        try:
            number = Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
        return format(number, "f")
    if isinstance(value, dict) and set(value) <= {"min", "max"}:
        lo, hi = value.get("min"), value.get("max")
        if lo is not None and hi is not None:
            return _fmt(lo) if _same(lo, hi) else f"{_fmt(lo)}-{_fmt(hi)}"
        return f"up to {_fmt(hi)}" if hi is not None else f"from {_fmt(lo)}"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, list) and all(_is_number(v) or isinstance(v, str) for v in value):
        return ", ".join(_fmt(v) if _is_number(v) else v for v in value) or "none"
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _same(a, b) -> bool:
    """Equal as written: 2 == 2.0 == Decimal('2.00'); lists and dicts compared deeply."""
    if _is_number(a) and _is_number(b):
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _change(label: str, old, new) -> str:
    """'P3 hours between sessions 48 -> 72'; long text reads as 'changed'."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 60:
        return f"{label} changed"
    return f"{label} {_fmt(old)} -> {_fmt(new)}"


def _leaves(prefix: str, old, new) -> list[str]:
    """A plain diff of two nested values: numbers and short text by name, anything else as 'changed'."""
    if _same(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in [*old, *(k for k in new if k not in old)]:
            label = f"{prefix} {key.replace('_', ' ')}".strip()
            if key not in new:
                out.append(f"{label} removed")
            elif key not in old:
                out.append(f"{label} added: {_fmt(new[key])}")
            else:
                out.extend(_leaves(label, old[key], new[key]))
        return out
    if isinstance(old, list) and isinstance(new, list) and all(_is_number(v) or isinstance(v, str) for v in old + new):
        return [f"{prefix} {_fmt(old)} -> {_fmt(new)}"]
    if isinstance(old, list | dict) or isinstance(new, list | dict):
        return [f"{prefix} changed"]
    return [_change(prefix, old, new)]


def _exit_changes(p: str, old: dict, new: dict) -> list[str]:
    out = []
    for code in [*old, *(c for c in new if c not in old)]:
        label = exit_label(code)
        if code not in new:
            out.append(f"{p} exit: {label} {_fmt(_exit_value(old[code]))} removed")
            continue
        if code not in old:
            out.append(f"{p} exit: {label} {_fmt(_exit_value(new[code]))} added")
            continue
        a, b = old[code], new[code]
        if not _same(_exit_value(a), _exit_value(b)):
            out.append(f"{p} exit: {label} {_fmt(_exit_value(a))} -> {_fmt(_exit_value(b))}")
        a_extra = {k: v for k, v in a.items() if k != "value"} if isinstance(a, dict) else {}
        b_extra = {k: v for k, v in b.items() if k != "value"} if isinstance(b, dict) else {}
        out.extend(_leaves(f"{p} exit: {EXIT_LABELS.get(code, code.replace('_', ' '))}", a_extra, b_extra))
    return out


def _item_name(item, index: int) -> str:
    return item.get("name") if isinstance(item, dict) and item.get("name") else f"item {index + 1}"


def _items_changes(p: str, old: list, new: list) -> list[str]:
    if _same(old, new):
        return []
    if not (isinstance(old, list) and isinstance(new, list)):
        return [f"{p} prescription changed"]
    old_names = [_item_name(it, i) for i, it in enumerate(old)]
    new_names = [_item_name(it, i) for i, it in enumerate(new)]
    if len(set(old_names)) != len(old_names) or len(set(new_names)) != len(new_names):
        return [f"{p} prescription changed"]
    out = []
    old_by, new_by = dict(zip(old_names, old, strict=True)), dict(zip(new_names, new, strict=True))
    for name in old_names:
        if name not in new_by:
            out.append(f'{p} prescription: "{name}" removed')
        elif isinstance(old_by[name], dict) and isinstance(new_by[name], dict):
            out.extend(_leaves(f"{p} {name}:", old_by[name], new_by[name]))
        elif not _same(old_by[name], new_by[name]):
            out.append(f'{p} prescription: "{name}" changed')
    out.extend(f'{p} prescription: "{name}" added' for name in new_names if name not in old_by)
    if not out and old_names != new_names:
        out.append(f"{p} prescription: items reordered")
    return out


def _phase_changes(old: dict, new: dict) -> list[str]:
    p = f"P{new.get('number', old.get('number'))}"
    out = _exit_changes(p, old.get("exit") or {}, new.get("exit") or {})
    spw_old, spw_new = old.get(SESSIONS_PER_WEEK), new.get(SESSIONS_PER_WEEK)
    if not _same(spw_old, spw_new):
        out.append(f"{p} sessions/week {_fmt(spw_old)} -> {_fmt(spw_new)}")
    days_old, days_new = old.get(DEFAULT_DAYS), new.get(DEFAULT_DAYS)
    if not _same(days_old, days_new):
        out.append(f"{p} default days {_days(days_old)} -> {_days(days_new)}")
    for key in [*old, *(k for k in new if k not in old)]:
        if key in {"number", "exit", SESSIONS_PER_WEEK, DEFAULT_DAYS, "items"}:
            continue
        label = f"{p} {PHASE_FIELD_LABELS.get(key, key.replace('_', ' '))}"
        a, b = old.get(key), new.get(key)
        if _same(a, b):
            continue
        if isinstance(a, dict) and set(a) <= {"min", "max"} or isinstance(b, dict) and set(b) <= {"min", "max"}:
            out.append(f"{label} {_fmt(a)} -> {_fmt(b)}")
        elif isinstance(a, list | dict) or isinstance(b, list | dict):
            out.extend(_leaves(label, a, b))
        else:
            out.append(_change(label, a, b))
    out.extend(_items_changes(p, old.get("items") or [], new.get("items") or []))
    return out


def _days(days) -> str:
    if not days:
        return "from the spacing"
    if isinstance(days, list) and all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        return ", ".join(DAY_NAMES[d - 1] for d in days)
    return _fmt(days)


def _rule_label(rule: dict) -> str:
    title = rule.get("title") or rule.get("code", "")
    number = rule.get("number")
    return f"Rule {number} ({title.lower()})" if number is not None else f"Rule {title.lower()}"


def _rule_changes(old: dict, new: dict) -> list[str]:
    label = _rule_label(new)
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key == "code":
            continue
        a, b = old.get(key), new.get(key)
        if _same(a, b):
            continue
        name = key.replace("_", " ")
        if key not in new:
            out.append(f"{label}: {name} {_fmt(a)} removed")
        elif key not in old:
            out.append(f"{label}: {name} {_fmt(b)} added")
        elif key in {"description", "source_note"} or isinstance(a, list | dict) or isinstance(b, list | dict):
            out.append(f"{label}: {name} changed")
        else:
            out.append(f"{label}: {name} {_fmt(a)} -> {_fmt(b)}")
    return out


def protocol_changes(old: dict, new: dict) -> list[str]:
    """What differs between two protocol definitions, one plain line per change, in protocol order.

    Phases by number, rules by code, everything else by name; slug and version are ignored (a new version always
    has its own). An empty list means the two read the same to the engine and to a person.
    """
    return [*_text_changes(old, new), *_phases_changes(old, new), *_rules_changes(old, new), *_other_changes(old, new)]


def _text_changes(old: dict, new: dict) -> list[str]:
    out = []
    for key in ("name", "description", "notes"):
        a, b = old.get(key), new.get(key)
        if not _same(a, b):
            out.append(_change("Name", a, b) if key == "name" else f"{key.capitalize()} changed")
    return out


def _phases_changes(old: dict, new: dict) -> list[str]:
    old_phases = {p.get("number"): p for p in old.get("phases") or [] if isinstance(p, dict)}
    new_phases = {p.get("number"): p for p in new.get("phases") or [] if isinstance(p, dict)}
    out = []
    for number in sorted(set(old_phases) | set(new_phases), key=lambda n: (n is None, n if isinstance(n, int) else 0)):
        if number not in new_phases:
            out.append(f"P{number} removed")
        elif number not in old_phases:
            out.append(f"P{number} added: {new_phases[number].get('name', '')}".rstrip(": "))
        else:
            out.extend(_phase_changes(old_phases[number], new_phases[number]))
    return out


def _rules_changes(old: dict, new: dict) -> list[str]:
    old_rules = {r.get("code"): r for r in old.get("rules") or [] if isinstance(r, dict)}
    new_rules = {r.get("code"): r for r in new.get("rules") or [] if isinstance(r, dict)}
    out = []
    for code in [*old_rules, *(c for c in new_rules if c not in old_rules)]:
        if code not in new_rules:
            out.append(f"{_rule_label(old_rules[code])} removed")
        elif code not in old_rules:
            out.append(f"{_rule_label(new_rules[code])} added")
        else:
            out.extend(_rule_changes(old_rules[code], new_rules[code]))
    if [c for c in old_rules if c in new_rules] != [c for c in new_rules if c in old_rules]:
        out.append("Rules reordered")
    return out


def _other_changes(old: dict, new: dict) -> list[str]:
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in IGNORED_TOP_LEVEL or key in {"name", "description", "notes"}:
            continue
        label = key.replace("_", " ").capitalize()
        if key not in new or key not in old:
            out.append(f"{label} {'removed' if key not in new else 'added'}")
        elif key == "sources":
            out.extend(_source_changes(old[key], new[key]))
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            out.extend(_leaves(label + ":", old[key], new[key]))
        elif not _same(old[key], new[key]):
            out.append(f"{label} changed")
    return out


def _source_changes(old, new) -> list[str]:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [] if _same(old, new) else ["Sources changed"]
    out = [f"Source {sid} removed" for sid in old if sid not in new]
    out += [f"Source {sid} added" for sid in new if sid not in old]
    out += [f"Source {sid} changed" for sid in old if sid in new and not _same(old[sid], new[sid])]
    return out
