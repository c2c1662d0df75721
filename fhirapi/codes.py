"""The codes /fhir/ serves: standard systems where they have the concept, the project's own CodeSystem elsewhere.

Every code of our own is listed in OWN_CONCEPTS (served as CodeSystem/sprint-rehab and documented in
docs/fhir.md); a test checks that every code a served resource uses from our system is in the list.
"""
from django.conf import settings

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

#: LOINC 72514-3: Pain severity - 0-10 verbal numeric rating [Score] - Reported.
PAIN_NRS = {"system": LOINC, "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
#: SNOMED CT laterality qualifiers.
LATERALITY = {"left": {"system": SNOMED, "code": "7771000", "display": "Left"},
              "right": {"system": SNOMED, "code": "24028007", "display": "Right"}}

OWN_ID = "sprint-rehab"


def own_system(base: str | None = None) -> str:
    """The canonical URL of our CodeSystem: where /fhir/ serves it."""
    return f"{(base or fhir_base()).rstrip('/')}/CodeSystem/{OWN_ID}"


def fhir_base() -> str:
    return settings.SITE_URL.rstrip("/") + "/fhir"


#: code -> (display, definition). Grouped as in docs/fhir.md.
OWN_CONCEPTS = {
    # the condition
    "hamstring-strain": ("Hamstring strain injury", "An acute strain of a hamstring muscle (the injury a plan follows)."),
    "bamic": ("BAMIC grade", "British Athletics Muscle Injury Classification: grade 0-4 and site a (myofascial), "
              "b (musculotendinous junction), c (intratendinous)."),
    **{f"bamic-{g}{s}": (f"BAMIC {g}{s}", f"BAMIC grade {g}" + (f", site {s}" if s else ", no site recorded") + ".")
       for g in range(5) for s in ("", "a", "b", "c")},
    "muscle-bflh": ("Biceps femoris, long head", "The injured muscle."),
    "muscle-bfsh": ("Biceps femoris, short head", "The injured muscle."),
    "muscle-st": ("Semitendinosus", "The injured muscle."),
    "muscle-sm": ("Semimembranosus", "The injured muscle."),
    "muscle-unknown": ("Hamstring, muscle not determined", "The injured hamstring muscle was not recorded."),
    "mechanism-sprint": ("Sprint-type mechanism", "Injured while sprinting (high-speed running)."),
    "mechanism-stretch": ("Stretch-type mechanism", "Injured in a slow or fast stretch (kicking, splits)."),
    "mechanism-other": ("Other mechanism", "Neither sprint- nor stretch-type."),
    # observations
    "soreness-24h": ("Next-morning soreness (0-10)", "Soreness of the injured hamstring the morning after a session, "
                     "0 (none) to 10 (worst imaginable), reported by the athlete."),
    "session-load": ("Session load (sRPE)", "Foster's session RPE: the session's rating of perceived exertion on the "
                     "Borg CR-10 scale times its duration in minutes, in arbitrary units."),
    "session-rpe": ("Session RPE (Borg CR-10)", "The athlete's rating of the whole session's exertion, 0-10, on the "
                    "Borg CR-10 scale, about 30 minutes after it."),
    "session-duration": ("Session duration", "Minutes of the session."),
    "borg-cr10": ("Borg CR-10 scale", "The category-ratio 0-10 scale of perceived exertion (Foster 2001 sRPE)."),
    "technique-score": ("Sprint technique score", "Share of the phase's technique checklist items performed "
                        "correctly, in per cent, rated by the coach or clinician."),
    "peak-speed": ("Peak running speed", "The session's peak speed, in metres per second when measured (GPS, timing "
                   "gates, radar) and as a share of the athlete's maximal velocity."),
    "peak-speed-pct-vmax": ("Peak speed, % of maximal velocity", "Peak speed over the athlete's pre-injury or best "
                            "maximal velocity, in per cent."),
    "hamstring-strength": ("Hamstring strength test", "Knee-flexor strength of both legs with the limb symmetry "
                           "index; the method says which test."),
    "peak-force-injured": ("Peak force, injured leg", "Peak knee-flexor force of the injured leg, in newtons."),
    "peak-force-uninjured": ("Peak force, uninjured leg", "Peak knee-flexor force of the uninjured leg, in newtons."),
    "injured-side": ("Injured side", "The side of the injured leg (a SNOMED CT laterality qualifier as the value)."),
    "lsi": ("Limb symmetry index", "Injured over uninjured leg x 100, in per cent."),
    "method-iso_90_90": ("Isometric 90/90 (dynamometer)", "Isometric knee flexion at 90 degrees hip and knee flexion, "
                         "hand-held or fixed dynamometer."),
    "method-iso_0_30": ("Isometric 0/30 (dynamometer)", "Isometric knee flexion at 0 degrees hip and 30 degrees knee "
                        "flexion."),
    "method-nordic": ("Nordic (force frame)", "Eccentric knee-flexor force in the Nordic hamstring exercise on a force "
                      "frame."),
    # plans
    "phase": ("Rehabilitation phase", "A phase of the protocol: P0 ... P19 (the default protocol has P0 to P6)."),
    **{f"phase-{n}": (f"Phase {n}", f"Phase {n} of the plan's protocol.") for n in range(20)},
    # exit criteria (Goal.target.measure)
    **{f"exit-{code}": (title, f"Exit criterion: {title.lower()}.") for code, title in (
        ("min_sessions", "Consecutive clean sessions"), ("max_pain", "Pain during the last sessions"),
        ("max_soreness", "Next-morning soreness after the last sessions"), ("min_lsi", "Strength LSI"),
        ("min_technique", "Technique score"), ("min_peak_speed", "Peak speed"),
        ("min_efforts_95", "Efforts at 95% or more of maximal velocity"),
        ("min_full_sessions", "Full team or race-pace sessions"), ("max_apprehension", "Apprehension (H-test)"),
        ("min_load_pct", "Load against the pre-injury baseline"),
        ("min_days_since_rts", "Days since return-to-sport clearance"))},
    "exit-other": ("Other exit criterion", "An exit criterion of a clinic's own protocol with no code of its own here: "
                   "its title is in Goal.description."),
}


def own(code: str, base: str | None = None) -> dict:
    """A Coding of our own system (KeyError for a code not in OWN_CONCEPTS: no undocumented code is served)."""
    display, _ = OWN_CONCEPTS[code]
    return {"system": own_system(base), "code": code, "display": display}


def concept(coding: dict, text: str | None = None) -> dict:
    return {"coding": [coding], "text": text or coding.get("display", coding["code"])}


def category(code: str) -> list[dict]:
    displays = {"survey": "Survey", "exam": "Exam", "activity": "Activity"}
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": displays[code]}]}]


def quantity(value, unit: str, code: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}
