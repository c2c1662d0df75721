"""The layouts the app reads, their columns found by name (tolerantly: case, spacing, units in brackets,
accents do not matter), and each line turned into a `Row` with its values or the reasons it cannot be used.

- VALD Hub CSV for NordBord and ForceFrame: `Date UTC`, `Time UTC`, `Device`, `Test`, `L Reps`, `R Reps`,
  `L Max Force (N)`, `R Max Force (N)`, `Max Imbalance (%)`, `L Max Torque (Nm)`, `R Max Torque (Nm)`, with the
  athlete's `Name` (and `External Id` where the export has it).
- Any other dynamometer through a column mapping the clinic saves (which column is the date, the name, each
  leg's force, ...).
- GPS per-session summaries, Catapult-style (`Player Name`, `Date`, `Max Velocity`, velocity-band efforts) and
  STATSports-style (`Player Display Name`, `Session Date`, `Max Speed`, `Sprints`, `Distance Zone 6`).
- A raw speed trace: time and speed, one athlete, one session, at 10 Hz or more.
"""
import datetime
import re
from dataclasses import dataclass, field

from .errors import ImportFileError
from .text import normalise_header, parse_number, read_table

STRENGTH, SPEED, TRACE = "strength", "speed", "trace"
MPS, KMH = "mps", "kmh"

#: Canonical field -> the header names (normalised) that mean it.
STRENGTH_COLUMNS = {
    "date": ["date utc", "date", "test date", "session date", "date local"],
    "time": ["time utc", "time", "test time", "time local"],
    "name": ["name", "athlete", "athlete name", "player", "player name", "full name", "given name family name"],
    "external_id": ["external id", "externalid", "external athlete id", "athlete id", "player id", "id"],
    "device": ["device", "device type", "system"],
    "test": ["test", "test type", "test name", "position", "protocol"],
    "l_reps": ["l reps", "left reps"],
    "r_reps": ["r reps", "right reps"],
    "l_force": ["l max force n", "l max force", "left max force n", "left max force", "l peak force n",
                "left peak force n", "left force n", "left force", "l force n"],
    "r_force": ["r max force n", "r max force", "right max force n", "right max force", "r peak force n",
                "right peak force n", "right force n", "right force", "r force n"],
    "imbalance": ["max imbalance %", "max imbalance", "imbalance %", "imbalance", "max imbalance percent"],
    "l_torque": ["l max torque nm", "l max torque", "left max torque nm", "left max torque"],
    "r_torque": ["r max torque nm", "r max torque", "right max torque nm", "right max torque"],
}
SPEED_COLUMNS = {
    "name": ["player name", "player display name", "player", "athlete", "athlete name", "name", "display name"],
    "external_id": ["external id", "player id", "athlete id", "externalid"],
    "date": ["date", "session date", "start date", "date utc", "activity date"],
    "max_speed": ["max velocity", "max velocity m/s", "max velocity km/h", "maximum velocity", "max speed",
                  "max speed km/h", "max speed m/s", "top speed", "top speed km/h", "top speed m/s", "peak speed",
                  "peak speed m/s", "peak speed km/h", "max vel", "max vel m/s", "max vel km/h", "vmax"],
    "efforts": ["velocity band 8 efforts", "velocity band 7 efforts", "velocity band 6 efforts",
                "velocity band 5 efforts", "sprints", "sprint efforts", "number of sprints", "efforts",
                "efforts 95", "efforts 95%", "high speed efforts"],
    "zone6": ["distance zone 6", "distance zone 6 m", "zone 6 distance"],
}
TRACE_COLUMNS = {
    "time": ["time", "time s", "timestamp", "seconds", "elapsed time", "elapsed time s", "elapsed", "t", "t s"],
    "speed": ["speed", "speed m/s", "speed km/h", "velocity", "velocity m/s", "velocity km/h", "v", "v m/s",
              "v km/h", "speed ms", "speed kmh", "velocity kmh"],
}
FIELD_WORDS = {
    "date": "the date", "name": "the athlete's name", "external_id": "the athlete's id",
    "l_force": "the left leg's force", "r_force": "the right leg's force", "max_speed": "the maximum speed",
    "time": "the time", "speed": "the speed",
}
#: Impossible values: no human runs faster; no hamstring produces more on these devices.
MAX_SPEED_MPS = 13.0
MAX_FORCE_N = 5000.0
NOT_HAMSTRING = ("hip", "add", "abd", "groin", "shoulder", "neck", "ankle", "quad", "knee ext", "extension",
                 "plantar", "dorsi", "trunk")


@dataclass
class Row:
    line: int
    name: str = ""
    external_id: str = ""
    date: datetime.date | None = None
    time: datetime.time | None = None
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


@dataclass
class Parsed:
    kind: str
    source: str
    rows: list
    columns: dict
    unit: str = ""
    separator: str = ","
    notes: list = field(default_factory=list)
    trace_times: list = field(default_factory=list)
    trace_speeds_mps: list = field(default_factory=list)


def _find_columns(header: list[str], aliases: dict, mapping: dict | None = None) -> dict:
    """Canonical field -> column index. A saved mapping names the columns itself; otherwise the aliases."""
    normal = [normalise_header(h) for h in header]
    found = {}
    for name, wanted in (mapping or {}).items():
        if not wanted:
            continue
        key = normalise_header(wanted)
        if key not in normal:
            raise ImportFileError(f"The saved mapping expects a column “{wanted}” for {FIELD_WORDS.get(name, name)}, "
                                  f"and the file has none. Its columns are: {', '.join(header)}.")
        found[name] = normal.index(key)
    for name, options in aliases.items():
        if name in found:
            continue
        for option in options:
            if option in normal:
                found[name] = normal.index(option)
                break
    return found


def detect(header: list[str]) -> str | None:
    normal = set(normalise_header(h) for h in header)
    strength = _find_columns(header, STRENGTH_COLUMNS)
    speed = _find_columns(header, SPEED_COLUMNS)
    trace = _find_columns(header, TRACE_COLUMNS)
    if "l_force" in strength and "r_force" in strength:
        return "vald" if {"device", "test"} <= set(strength) or "date utc" in normal else "strength"
    if "max_speed" in speed:
        if "player display name" in normal or "session date" in normal or "sprints" in normal:
            return "statsports"
        return "catapult"
    if "time" in trace and "speed" in trace:
        return "trace"
    return None


SOURCE_KIND = {"vald": STRENGTH, "strength": STRENGTH, "catapult": SPEED, "statsports": SPEED, "trace": TRACE}
SOURCE_WORDS = {
    "vald": "VALD Hub export (NordBord / ForceFrame)", "strength": "Strength test CSV",
    "catapult": "GPS session summary (Catapult-style)", "statsports": "GPS session summary (STATSports-style)",
    "trace": "Raw speed trace",
}


def parse(text: str, *, source: str = "auto", mapping: dict | None = None, unit: str = "auto",
          date_order: str = "dmy") -> Parsed:
    """Read a file's text. `source`: "auto" or one of SOURCE_KIND (with a `mapping`, "strength" or "speed")."""
    sep, header, rows = read_table(text)
    if source == "auto":
        source = detect(header)
        if source is None:
            raise ImportFileError(
                "The columns were not recognised. A strength file needs the date, the athlete and both legs' forces "
                "(e.g. “L Max Force (N)”, “R Max Force (N)”); a GPS summary the player, the date and the maximum "
                "speed; a speed trace a time and a speed column. Found: " + ", ".join(header[:20]) + ". "
                "For another device, save a column mapping first.")
    kind = SOURCE_KIND.get(source, source)
    if kind == STRENGTH:
        parsed = _parse_strength(header, rows, mapping, date_order)
    elif kind == SPEED:
        parsed = _parse_speed(header, rows, mapping, unit, date_order)
    elif kind == TRACE:
        parsed = _parse_trace(header, rows, mapping, unit)
    else:
        raise ImportFileError(f"Unknown kind of file: {source}.")
    parsed.source = source
    parsed.separator = sep
    return parsed


def _need(columns: dict, header: list[str], *names) -> None:
    missing = [FIELD_WORDS.get(n, n) for n in names if n not in columns]
    if missing:
        raise ImportFileError(f"The file has no column for {' and '.join(missing)}. Its columns are: "
                              f"{', '.join(header[:30])}. Rename the column, or save a column mapping for this device.")


def _cell(cells, columns, name) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _number(row: Row, cells, columns, name, words) -> float | None:
    raw = _cell(cells, columns, name)
    try:
        return parse_number(raw)
    except ValueError as exc:
        row.problems.append(f"{words}: {exc}.")
        return None


def _athlete_and_date(row: Row, cells, columns, date_order) -> None:
    row.name = _cell(cells, columns, "name")
    row.external_id = _cell(cells, columns, "external_id")
    if not row.name and not row.external_id:
        row.problems.append("No athlete named on this line.")
    raw_date = _cell(cells, columns, "date")
    try:
        row.date, time = parse_date(raw_date, date_order)
        row.time = time
    except ValueError as exc:
        row.problems.append(str(exc))
    raw_time = _cell(cells, columns, "time")
    if raw_time:
        try:
            row.time = parse_time(raw_time)
        except ValueError as exc:
            row.problems.append(str(exc))


def strength_method(device: str, test: str) -> tuple[str | None, str]:
    """(method, problem): NordBord -> Nordic; a ForceFrame / dynamometer test at 90/90 or 0/30 -> isometric;
    another hamstring test -> custom; a test of another muscle group -> not imported."""
    d, t = normalise_header(device), normalise_header(test)
    both = f"{d} {t}"
    if "nordbord" in both or "nordic" in both:
        return "nordic", ""
    if any(word in t for word in NOT_HAMSTRING) and "flex" not in t and "ham" not in t:
        return None, f"“{test}” is not a hamstring test: not imported."
    if re.search(r"90\s*/?\s*90|90 90|9090", t):
        return "iso_90_90", ""
    if re.search(r"\b0\s*/\s*30\b|\b0 30\b|\b30\b", t):
        return "iso_0_30", ""
    return "custom", ""


def _parse_strength(header, rows, mapping, date_order) -> Parsed:
    columns = _find_columns(header, STRENGTH_COLUMNS, mapping and {k: v for k, v in mapping.items() if k != "method"})
    _need(columns, header, "date", "l_force", "r_force")
    if "name" not in columns and "external_id" not in columns:
        _need(columns, header, "name")
    fixed_method = (mapping or {}).get("method") or ""
    out = []
    for line, cells in rows:
        row = Row(line=line)
        _athlete_and_date(row, cells, columns, date_order)
        left = _number(row, cells, columns, "l_force", "Left force")
        right = _number(row, cells, columns, "r_force", "Right force")
        for side, value in (("left", left), ("right", right)):
            if value is None and not any(side in p.lower() for p in row.problems):
                row.problems.append(f"No {side} leg force: the LSI needs both legs.")
            elif value is not None and value <= 0:
                row.problems.append(f"The {side} leg's force is {value:g} N: a test with no force is not a reading.")
            elif value is not None and value > MAX_FORCE_N:
                row.problems.append(f"The {side} leg's force is {value:g} N, more than {MAX_FORCE_N:g} N: check the "
                                    "value and the unit (newtons).")
        row.values["left_n"], row.values["right_n"] = left, right
        row.values["imbalance_pct"] = _number(row, cells, columns, "imbalance", "Imbalance")
        for key in ("l_torque", "r_torque", "l_reps", "r_reps"):
            value = _number(row, cells, columns, key, key.replace("_", " "))
            if value is not None:
                row.values[key] = value
        device, test = _cell(cells, columns, "device"), _cell(cells, columns, "test")
        row.values["device"], row.values["test"] = device, test
        if fixed_method:
            method, problem = fixed_method, ""
        else:
            method, problem = strength_method(device, test)
        if problem:
            row.problems.append(problem)
        row.values["method"] = method
        out.append(row)
    return Parsed(kind=STRENGTH, source="", rows=out, columns={k: header[i] for k, i in columns.items()})


def _unit_of(header_text: str, values: list[float], unit: str) -> tuple[str, str]:
    """(unit, how it was decided)."""
    if unit in (MPS, KMH):
        return unit, "chosen on upload"
    h = normalise_header(header_text)
    if "km/h" in h or "kmh" in h or "kph" in h:
        return KMH, f"from the column “{header_text}”"
    if "m/s" in h or h.endswith(" ms"):
        return MPS, f"from the column “{header_text}”"
    top = max((v for v in values if v is not None), default=0)
    if top > 15:
        return KMH, f"detected: speeds up to {top:g} can only be km/h"
    return MPS, f"detected: speeds up to {top:g} read as m/s"


def to_mps(value: float, unit: str) -> float:
    return value / 3.6 if unit == KMH else value


def _parse_speed(header, rows, mapping, unit, date_order) -> Parsed:
    columns = _find_columns(header, SPEED_COLUMNS, mapping and {k: v for k, v in mapping.items() if k != "method"})
    _need(columns, header, "date", "max_speed")
    if "name" not in columns and "external_id" not in columns:
        _need(columns, header, "name")
    out = []
    raw_speeds = []
    for line, cells in rows:
        row = Row(line=line)
        _athlete_and_date(row, cells, columns, date_order)
        speed = _number(row, cells, columns, "max_speed", "Maximum speed")
        row.values["max_speed_raw"] = speed
        raw_speeds.append(speed)
        if "efforts" in columns:
            efforts = _number(row, cells, columns, "efforts", "Efforts")
            if efforts is not None and (efforts < 0 or efforts != int(efforts) or efforts > 100):
                row.problems.append(f"Efforts “{_cell(cells, columns, 'efforts')}” is not a count from 0 to 100.")
                efforts = None
            row.values["efforts"] = None if efforts is None else int(efforts)
        out.append(row)
    chosen, how = _unit_of(header[columns["max_speed"]], raw_speeds, unit)
    for row in out:
        raw = row.values.get("max_speed_raw")
        if raw is None:
            if not any("speed" in p.lower() for p in row.problems):
                row.problems.append("No maximum speed on this line.")
            continue
        mps = to_mps(raw, chosen)
        row.values["speed_mps"] = round(mps, 3)
        if raw < 0:
            row.problems.append(f"A speed of {raw:g} is negative.")
        elif raw == 0:
            row.problems.append("A maximum speed of 0: the athlete did not run, or the unit was not worn.")
        elif mps > MAX_SPEED_MPS:
            row.problems.append(f"A speed of {raw:g} {'km/h' if chosen == KMH else 'm/s'} ({mps:.1f} m/s) is "
                                f"faster than any human runs (over {MAX_SPEED_MPS:g} m/s): check the unit.")
    parsed = Parsed(kind=SPEED, source="", rows=out, columns={k: header[i] for k, i in columns.items()}, unit=chosen)
    parsed.notes.append(f"Speeds in {'km/h' if chosen == KMH else 'm/s'} ({how}).")
    if "efforts" in columns:
        parsed.notes.append(f"Efforts column: “{header[columns['efforts']]}”.")
    return parsed


def _parse_trace(header, rows, mapping, unit) -> Parsed:
    columns = _find_columns(header, TRACE_COLUMNS, mapping)
    _need(columns, header, "time", "speed")
    ti, si = columns["time"], columns["speed"]
    times, speeds = [], []
    bad = []
    for line, cells in rows:
        try:
            t = parse_seconds(cells[ti] if ti < len(cells) else "")
            s = parse_number(cells[si] if si < len(cells) else "")
        except ValueError as exc:
            bad.append(f"line {line}: {exc}")
            continue
        if t is None or s is None:
            bad.append(f"line {line}: a time or a speed is missing")
            continue
        times.append(t)
        speeds.append(s)
    if len(bad) > max(10, len(rows) // 100):
        raise ImportFileError(f"{len(bad)} lines of the speed trace cannot be read ({'; '.join(bad[:3])}, ...).")
    if len(times) < 20:
        raise ImportFileError("The speed trace has fewer than 20 readings: nothing to count efforts from.")
    chosen, how = _unit_of(header[si], speeds, unit)
    if chosen == KMH:
        speeds = [s / 3.6 for s in speeds]
    parsed = Parsed(kind=TRACE, source="", rows=[], columns={k: header[i] for k, i in columns.items()}, unit=chosen,
                    trace_times=times, trace_speeds_mps=speeds)
    parsed.notes.append(f"Speeds in {'km/h' if chosen == KMH else 'm/s'} ({how}).")
    if bad:
        parsed.notes.append(f"{len(bad)} unreadable lines left out ({'; '.join(bad[:3])}).")
    return parsed


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$"), "xy"),
]
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"], 1)}


def parse_date(raw: str, order: str = "dmy") -> tuple[datetime.date, datetime.time | None]:
    """A date as exports write it: 2025-03-10, 10/03/2025 (day first unless `order` is "mdy"), 10.03.25,
    10 Mar 2025, with an optional time after it."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("No date on this line.")
    time = None
    parts = re.split(r"[T ]", text, maxsplit=1)
    if len(parts) == 2 and re.match(r"^\d{1,2}:\d{2}", parts[1]):
        text = parts[0]
        time = parse_time(parts[1].rstrip("Z"))
    try:
        for pattern, kind in _DATE_PATTERNS:
            m = pattern.match(text)
            if not m:
                continue
            a, b, c = (int(x) for x in m.groups())
            if kind == "ymd":
                return datetime.date(a, b, c), time
            year = c + 2000 if c < 100 else c
            day, month = (b, a) if order == "mdy" else (a, b)
            return datetime.date(year, month, day), time
        m = re.match(r"^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -](\d{4})$", text)
        if m and m.group(2).lower() in _MONTHS:
            return datetime.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))), time
    except ValueError:
        raise ValueError(f"“{raw}” is not a date that exists.") from None
    raise ValueError(f"“{raw}” is not a date this import can read (use e.g. 2025-03-10 or 10/03/2025).")


def parse_time(raw: str) -> datetime.time:
    m = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp][Mm])?$", raw.strip())
    if not m:
        raise ValueError(f"“{raw}” is not a time.")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(5):
        hour = hour % 12 + (12 if m.group(5).lower() == "pm" else 0)
    try:
        return datetime.time(hour, minute, second)
    except ValueError:
        raise ValueError(f"“{raw}” is not a time.") from None


def parse_seconds(raw: str) -> float | None:
    """A trace's time: seconds (12.3 or 12,3) or a clock time (10:15:02.300)."""
    text = (raw or "").strip()
    if ":" in text:
        parts = text.replace(",", ".").split(":")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"“{raw}” is not a time") from None
        total = 0.0
        for n in numbers:
            total = total * 60 + n
        return total
    return parse_number(text)
