"""Criterion checks of the vocabulary: the exit criteria a phase parameterises.

* ``recent_sessions``: a threshold over the last n sessions: each of them has ``field`` at most (``max``) or at
  least (``min``) the value; n is the criterion's ``sessions`` or the phase's ``min_sessions``. A session without
  the value fails.
* ``stint_count``: a count over the stint: its sessions, the sessions with a flag (``full_session``), the sum of a
  field (``efforts_95``), or the sessions whose field is at or above ``at_least``; at least the value.
* ``reading``: the latest session's value (``scope: latest``), the best of the stint (``best``), or the most recent
  reading (``most_recent``: sessions and, for the fields an assessment carries, the assessments merged by date),
  optionally within ``window_days`` before the day of the decision; at least / at most the value. No reading: not
  met, unless the criterion is not ``required``.

``context_value`` is in :mod:`.context`. The wording of a criterion's reason comes from its ``words`` (templates
whose constants, the threshold and the window, are filled in when the protocol is parsed); the built-in criteria's
words are in :mod:`progression.engine.criteria`, a clinic's own criterion gets words from its field.
"""

from __future__ import annotations

from operator import attrgetter

from ..reasons import at_most, fmt, iso, plural, template
from .base import CriterionCheck, State

__all__ = ["ReadingValue", "RecentSessions", "StintCount"]


class RecentSessions(CriterionCheck):
    __slots__ = ("attr", "at_least", "limit_key", "sessions", "head", "need")

    def __init__(self, code, title, source, value, *, field, compare: str, sessions: int | None, words: dict):
        super().__init__(code, title, source, value)
        self.attr = field.name
        self.at_least = compare == "min"
        self.limit_key = compare
        self.sessions = sessions
        self.head = words.get("head") or field.head
        limit = f"{fmt(value)} or more" if self.at_least else at_most(value)
        self.need = f"each must be reported and {limit}" if field.optional else f"each must be {limit}"

    def __call__(self, st: State):
        n = self.sessions or st.phase.min_sessions
        last = st.history[-n:]
        limit, attr, at_least = self.value, self.attr, self.at_least
        ok = True
        listed = []
        sessions = []
        for s in last:
            v = getattr(s, attr)
            day = iso(s.date)
            item = {"date": s.date, attr: v} if s.ref is None else {"date": s.date, "ref": s.ref, attr: v}
            sessions.append(item)
            if v is None:
                ok = False
                listed.append(f"not reported ({day})")
                continue
            if (v < limit) if at_least else (v > limit):
                ok = False
            listed.append(f"{v if type(v) is int else fmt(v)} ({day})")
        msg = f"{self.head} the last {plural(len(last), 'session')}: {', '.join(listed) or 'none'}; {self.need}."
        return self.reason("met" if ok else "not_met", msg, {"sessions": sessions, self.limit_key: limit})


class StintCount(CriterionCheck):
    __slots__ = ("count", "key", "noun", "suffix", "message", "per_session")

    def __init__(self, code, title, source, value, *, field, at_least=None, key: str, words: dict):
        super().__init__(code, title, source, value)
        self.count = _counter(field, at_least)
        # counts one per session at most (the sessions, a flag, a field at a level): the threshold is then also a
        # number of sessions (the projection reads it); a sum (efforts) can be met in fewer sessions
        self.per_session = field is None or at_least is not None or field.kind == "flag"
        self.key = key
        self.noun = words["noun"]
        self.suffix = words.get("suffix", "")
        self.message = template(words["message"], ("count",), need=fmt(value))

    def __call__(self, st: State):
        total = self.count(st.history)
        need = self.value
        msg = self.message(plural(total, self.noun, self.suffix))
        return self.reason("met" if total >= need else "not_met", msg, {self.key: total, "min": need})


def _counter(field, at_least):
    """The function that counts over a stint: its sessions, the sessions with a flag, the sum of a field, or the
    sessions with the field at or above ``at_least``."""
    if field is None:
        return len
    get = attrgetter(field.name)
    if at_least is not None:
        return lambda history: sum(1 for v in map(get, history) if v is not None and v >= at_least)
    if field.kind == "flag":  # flags are booleans
        return lambda history: sum(map(get, history))
    return lambda history: sum(filter(None, map(get, history)))


class ReadingValue(CriterionCheck):
    __slots__ = ("attr", "scope", "window", "readings", "lsi_cache", "at_least", "limit_key", "key", "required",
                 "extras", "method", "found", "none")

    def __init__(self, code, title, source, value, *, field, compare: str, scope: str, window: int | None,
                 required: bool, lsi_window: int, key: str, extras: tuple, words: dict):
        super().__init__(code, title, source, value)
        self.attr = field.name
        self.scope = scope
        self.window = window
        self.readings = field.in_readings
        self.lsi_cache = field.name == "strength_lsi" and scope == "most_recent" and window == lsi_window
        self.at_least = compare == "min"
        self.limit_key = compare
        self.key = key
        self.required = required
        names = {"scope": scope, "window_days": window, "required": required}
        self.extras = {name: names[name] for name in extras}
        self.method = field.name == "strength_lsi"
        constants = {"need": fmt(value), "window": window, "must": _must(value)}
        self.found = template(words["found"], ("value", "date"), **constants)
        self.none = template(words["none"] if required else words["none_optional"], ("today",), **constants)

    def pick(self, st: State):
        """The session or reading this criterion reads, or None."""
        attr = self.attr
        if self.scope == "latest":
            s = st.last
            return s if s is not None and getattr(s, attr) is not None else None
        if self.scope == "best":
            best = None
            for s in st.history:
                v = getattr(s, attr)
                if v is not None and (best is None or v > getattr(best, attr)):
                    best = s
            return best
        if self.lsi_cache:
            return st.recent_lsi()
        return st.most_recent(attr, self.window, self.readings)

    def __call__(self, st: State):
        need = self.value
        s = self.pick(st)
        if s is None:
            values = {self.key: None, **self.extras, self.limit_key: need}
            return self.reason("not_met" if self.required else "met", self.none(iso(st.today)), values)
        v = getattr(s, self.attr)
        ok = v >= need if self.at_least else v <= need
        values = {"date": s.date} if s.ref is None else {"date": s.date, "ref": s.ref}
        values[self.key] = v
        if self.extras:
            values.update(self.extras)
        values[self.limit_key] = need
        if self.method and s.strength_method is not None:
            values["method"] = s.strength_method
        return self.reason("met" if ok else "not_met", self.found(fmt(v), iso(s.date)), values)


def _must(limit) -> str:
    return f"must be {fmt(limit)}" if limit == 0 else f"must be {fmt(limit)} or less"
