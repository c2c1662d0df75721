"""The default protocol's dosed strength and conditioning (version 2): a pure helper over the definition dict that
doses the S&C items from progression/protocols/hamstring-rts-sc-doses.json (the data migration and the tests use
it; no Django, no database)."""
import copy

SC_BLOCKS = ("strength", "plyometric", "conditioning")
PRACTICE_DEFAULT_MARK = "(practice default)"
DOSE_KEYS = ("sets", "reps", "distance_m", "time_s", "load", "progression")


def with_sc_doses(definition: dict, doses: dict, *, version: int) -> dict:
    """A copy of `definition` as `version`, its strength and conditioning items dosed from `doses`
    (progression/protocols/hamstring-rts-sc-doses.json: {phases: {number: {item name: {sets, reps, time_s, load,
    progression}}}, clinician_note}). A stage note marked "(practice default)" gives way to the dose (its load says
    the same in words for the field) and the marker moves to the clinicians' note. Items the doses do not name are
    left as they are.
    """
    result = copy.deepcopy(definition)
    result["version"] = version
    for phase in result.get("phases", []):
        by_name = (doses.get("phases") or {}).get(str(phase.get("number"))) or {}
        for item in phase.get("items", []):
            if item.get("block") not in SC_BLOCKS or item.get("name") not in by_name:
                continue
            dose = by_name[item["name"]]
            for key in DOSE_KEYS:
                if key in dose:
                    item[key] = copy.deepcopy(dose[key])
            if PRACTICE_DEFAULT_MARK in (item.get("notes") or ""):
                item.pop("notes")
            if doses.get("clinician_note"):
                item["clinician_note"] = doses["clinician_note"]
    return result
