"""What the vocabulary can read: the fields of a logged session, of a reading and of the plan's context.

Each :class:`Field` knows its scale (the range a value must be in; the same table validates scenario files and the
thresholds of a protocol's criteria on that field), whether a session may leave it out, whether an assessment
(:class:`~.types.Reading`) may carry it, and the words the generated reasons use for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import LSI, PAIN, PCT, SCORE

__all__ = ["CONTEXT_FIELDS", "Field", "SESSION_FIELDS"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # attribute of SessionInput / Reading / Context
    scale: tuple[int, int | None]  # inclusive; None: no upper bound but MAX_NUMBER
    kind: str = "number"  # "number" | "integer" | "flag"
    optional: bool = True  # a session may leave it out (pain_during never is)
    in_readings: bool = False  # an assessment (Reading) may carry it too
    label: str = ""  # "next-morning soreness"
    unit: str = ""  # "%"
    head: str = ""  # a threshold over the last n sessions: "<head> the last 2 sessions: ..."
    noun: str = ""  # a count over the stint: plural(count, noun) ("effort", "full team or race-pace session")
    noun_suffix: str = ""  # after the noun: "efforts at 95% or more of maximal velocity"

    @property
    def numeric(self) -> bool:
        return self.kind != "flag"


SESSION_FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("pain_during", PAIN, "integer", optional=False, label="pain during the session", head="Pain during"),
    Field("soreness_24h", PAIN, "integer", label="next-morning soreness", head="Next-morning soreness after"),
    Field("strength_lsi", LSI, in_readings=True, label="strength LSI", head="Strength LSI in"),
    Field("technique", SCORE, in_readings=True, label="technique score", unit="%", head="Technique score in"),
    Field("technique_fresh", SCORE, label="technique on the first reps", unit="%",
          head="Technique on the first reps in"),
    Field("technique_fatigued", SCORE, label="technique on the last reps", unit="%",
          head="Technique on the last reps in"),
    Field("rpe", (0, 10), label="session RPE", head="Session RPE in"),
    Field("minutes", (0, 600), label="minutes", head="Minutes of", noun="minute"),
    Field("peak_speed_pct", PCT, label="peak speed", unit="% of maximal velocity", head="Peak speed in"),
    Field("efforts_95", (0, None), "integer", label="efforts at 95% or more of maximal velocity",
          head="Efforts at 95% or more in", noun="effort", noun_suffix=" at 95% or more of maximal velocity"),
    Field("full_session", (0, 1), "flag", label="full team or race-pace session",
          noun="full team or race-pace session"),
    Field("red_flag", (0, 1), "flag", label="red flag", noun="session with a red flag"),
    Field("apprehension", SCORE, in_readings=True, label="apprehension score (H-test)",
          head="Apprehension (H-test) in"),
)}

CONTEXT_FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("acwr", (0, None), label="workload ratio (EWMA ACWR)"),
    Field("load_pct", (0, None), label="load against the pre-injury baseline", unit="%"),
    Field("days_since_rts", (0, None), "integer", label="days since return-to-sport clearance", noun="day",
          noun_suffix=" since return-to-sport clearance"),
)}
