"""How the engine writes: numbers, dates and the small phrases every reason shares.

Each check kind of the vocabulary (:mod:`progression.engine.checks`) builds its :class:`~.types.Reason` with one
method, :meth:`progression.engine.checks.base.Check.reason`; the wording helpers it uses are here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from string import Formatter

__all__ = ["at_most", "capitalised", "fmt", "iso", "plural", "session_values", "template", "WORDS"]

_Q3 = Decimal("0.001")
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
         10: "ten"}

_FMT_CACHE: dict = {}


def fmt(v) -> str:
    """A number as a person reads it: 25 not 25.0, 83.3 as written, long ratios to 3 places.

    A pure function of the value (equal numbers give equal text), so it is cached.
    """
    try:
        return _FMT_CACHE[v]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a number
        return str(v)
    if v is None:
        text = "none"
    elif type(v) is int:
        text = str(v)
    elif v == v.to_integral_value():
        text = str(int(v))
    elif v.as_tuple().exponent < -3:
        text = str(v.quantize(_Q3, rounding=ROUND_HALF_UP).normalize())
    else:
        text = str(v.normalize())
    if len(_FMT_CACHE) < 8192:
        _FMT_CACHE[v] = text
    return text


_ISO_CACHE: dict = {}


def iso(d: datetime.date) -> str:
    """A date as ``YYYY-MM-DD`` (cached)."""
    try:
        return _ISO_CACHE[d]
    except KeyError:
        text = d.isoformat()
        if len(_ISO_CACHE) < 8192:
            _ISO_CACHE[d] = text
        return text


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def plural(count, word: str, suffix: str = "") -> str:
    """``1 session``, ``2 sessions``; ``suffix`` follows the noun (``3 efforts at 95% or more``)."""
    shown = count if type(count) is int else fmt(count)
    return f"{shown} {word}{suffix}" if count == 1 else f"{shown} {word}s{suffix}"


def at_most(v) -> str:
    return fmt(v) if v == 0 else f"{fmt(v)} or less"


def session_values(s, **fields) -> dict:
    """A reason's values for one session or reading: its date, its ref when it has one, then ``fields``."""
    d = {"date": s.date}
    if s.ref is not None:
        d["ref"] = s.ref
    d.update(fields)
    return d


def template(text: str, slots: tuple[str, ...] = (), **constants) -> Callable[..., str]:
    """A message template, compiled: the constants of one check (its threshold, its window) are filled in now,
    the per-decision ``slots`` are the arguments of the returned function, in that order, e.g.
    ``template("LSI {value} on {date}; {need} or more needed.", ("value", "date"), need=90)("92", "2026-03-19")``.
    A template may leave out any slot; braces and percent signs in the constants are text."""
    filled = text.format_map(_Keep({k: str(v).replace("{", "{{").replace("}", "}}") for k, v in constants.items()}))
    pattern, order = [], []
    for literal, name, _spec, _conversion in _parse(filled):
        pattern.append(literal.replace("%", "%%"))
        if name is not None:
            if name not in slots:
                raise ValueError(f"unknown slot {{{name}}} in the template {text!r} (slots: {', '.join(slots)})")
            pattern.append("%s")
            order.append(slots.index(name))
    compiled = "".join(pattern)
    if not order:
        final = compiled % ()
        return lambda *args: final
    if order == list(range(len(slots))):
        return lambda *args: compiled % args
    pick = itemgetter(*order)
    if len(order) == 1:
        return lambda *args: compiled % (pick(args),)
    return lambda *args: compiled % pick(args)


_parse = Formatter().parse


class _Keep(dict):
    """``format_map`` helper: an unknown slot stays a slot."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
