"""A protocol as data: validation, pre-parsing, and the default protocol file.

``protocol_from_dict`` validates a plain dict (as stored in the app or read from
``progression/protocols/hamstring-rts.json``) and returns an immutable, pre-parsed :class:`Protocol`: thresholds
are ``Decimal``, source ids are resolved to citation text, every rule and criterion is bound to its check of the
vocabulary, each phase knows its LSI threshold, its entry level and its place in the protocol's shape.
``protocol_to_dict`` gives the dict back (a fresh copy of what was validated), so a clinic can clone and edit it.

Shape of the dict (see the default file for a full example)::

    slug, version, name, description?, notes?
    sources: {id: citation}
    measurement: {lsi_window_days, source, source_note?}
    load: {acute_n, chronic_n, min_days, source, source_note?}
    time_floors: {source, source_note?, floors: [{grades?: [int], site?: "a"|"b"|"c", days, note?}]}
    criteria: {code: {title, source, source_note?, check?}}   # the exit criteria the phases use
    rules: [{code, number, title, source, source_note?, description?, check?, late_warning?, <parameters>}]
    phases: [{number, name, focus, description, intensity_pct?, sessions_per_week: {min, max},
              min_hours_between?, spacing_note?, default_days?, refer_on_regress?, sign_off_to_advance?,
              sign_off_note?, clearance?, items: [...], exit: {code: value | {value, ...}}}]   # 1-20 phases

Which phase's advance is return-to-sport clearance: the phase marked ``"clearance": true`` (at most one); when no
phase carries the key at all (every definition written before it existed), the phase before the last, as the app
has always read it. Advancing from the last phase is discharge.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import sections
from .criteria import CRITERION_CODES, Criterion, parse_catalogue
from .model import ItemTemplate, LoadParams, Phase, Protocol, TimeFloor
from .rules import RULE_PARAMS, RuleSpec, parse_rules
from .validation import MAX_NUMBER, RANGES, DataError

__all__ = [
    "CRITERION_CODES",
    "MAX_NUMBER",
    "RANGES",
    "RULE_PARAMS",
    "Criterion",
    "ItemTemplate",
    "LoadParams",
    "Phase",
    "Protocol",
    "ProtocolError",
    "RuleSpec",
    "TimeFloor",
    "default_protocol_data",
    "default_protocol_path",
    "load_default_protocol",
    "protocol_from_dict",
    "protocol_to_dict",
]


class ProtocolError(DataError):
    """A malformed protocol dict. The message names the path of the bad value."""


def protocol_from_dict(data: Mapping) -> Protocol:
    """Validate ``data`` and return the pre-parsed, immutable :class:`Protocol`.

    Raises :class:`ProtocolError` naming the path of the first bad value.
    """
    try:
        return _parse(data)
    except ProtocolError:
        raise
    except DataError as e:
        raise ProtocolError(e.path, e.detail) from None


def _parse(data: Any) -> Protocol:
    data, slug, version, name, description = sections.header(data)
    srcs = sections.sources(data["sources"])
    lsi_window, lsi_source = sections.measurement(data["measurement"], srcs)
    load = sections.load(data["load"], srcs)
    floors, floor_source = sections.time_floors(data["time_floors"], srcs)
    catalogue = parse_catalogue(data["criteria"], srcs)
    raw_phases = sections.phase_list(data["phases"])  # before the rules: their phase numbers are checked
    rules = parse_rules(data["rules"], srcs, len(raw_phases))
    fields = [sections.phase_fields(ph, i, catalogue, srcs, lsi_window) for i, ph in enumerate(raw_phases)]
    clearance = _clearance(raw_phases)
    phases = _phases(fields, clearance)
    return Protocol(
        slug=slug, version=version, name=name, description=description, sources=MappingProxyType(srcs),
        rules=rules, phases=phases, load=load, lsi_window_days=lsi_window, lsi_window_source=lsi_source,
        time_floors=floors, time_floor_source=floor_source, _raw=_deep_freeze(data), clearance_phase=clearance,
        late_warning_rules=tuple(r for r in rules if r.late_warning),
    )


def _clearance(raw_phases) -> int | None:
    """The clearance phase: the one marked, or (no phase says) the phase before the last."""
    flags = [sections.clearance_flag(ph, i) for i, ph in enumerate(raw_phases)]
    if all(f is None for f in flags):
        return len(raw_phases) - 2 if len(raw_phases) >= 2 else None
    marked = [i for i, f in enumerate(flags) if f]
    if len(marked) > 1:
        raise DataError(f"phases[{marked[1]}].clearance", f"only one phase is the clearance (phases[{marked[0]}] "
                                                            "is already)")
    return marked[0] if marked else None


def _phases(fields: list[dict], clearance: int | None) -> tuple[Phase, ...]:
    last = len(fields) - 1
    phases = []
    entry = None
    for i, f in enumerate(fields):
        phases.append(Phase(**f, entry_lsi=entry, is_clearance=i == clearance, is_last=i == last,
                            after_clearance=clearance is not None and i > clearance))
        entry = f["lsi_threshold"]
    return tuple(phases)


def protocol_to_dict(protocol: Protocol) -> dict:
    """The protocol as a plain, editable dict (a fresh copy); round-trips with :func:`protocol_from_dict`.
    Numbers stay as they were given (``Decimal`` when the file was read with ``parse_float=Decimal``)."""
    return _thaw(protocol._raw)


class _FrozenDict(dict):
    """Hashable, read-only dict used for the protocol's raw copy."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def _ro(self, *a: Any, **k: Any) -> None:
        raise TypeError("protocol data is read-only; use protocol_to_dict() for an editable copy")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _ro  # type: ignore[assignment]


def _deep_freeze(v: Any) -> Any:
    if isinstance(v, Mapping):
        return _FrozenDict((k, _deep_freeze(x)) for k, x in v.items())
    if isinstance(v, list | tuple):
        return tuple(_deep_freeze(x) for x in v)
    return v


def _thaw(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {k: _thaw(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_thaw(x) for x in v]
    return v


# --------------------------------------------------------------------------- #
# The default protocol file
# --------------------------------------------------------------------------- #


def default_protocol_path() -> Path:
    return Path(__file__).resolve().parent.parent / "protocols" / "hamstring-rts.json"


@lru_cache(maxsize=1)
def _default_text() -> str:
    return default_protocol_path().read_text(encoding="utf-8")


def default_protocol_data() -> dict:
    """The raw dict of ``progression/protocols/hamstring-rts.json`` (floats as ``Decimal``).

    A fresh dict on every call: the caller may change it.
    """
    return json.loads(_default_text(), parse_float=Decimal)


@lru_cache(maxsize=1)
def load_default_protocol() -> Protocol:
    """The default protocol, parsed once and cached (it is immutable)."""
    return protocol_from_dict(default_protocol_data())
