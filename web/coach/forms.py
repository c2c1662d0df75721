"""The coach's forms: a technique rating and the session's measurements."""
from decimal import ROUND_HALF_UP, Decimal

from django import forms

from sessions.checklists import CHECKLISTS
from sessions.models import validate_video_size
from sessions.uploads import ACCEPT, validate_video_file


def _decimal(label, lo, hi, places=1, **kw):
    return forms.DecimalField(label=label, required=False, min_value=lo, max_value=hi, decimal_places=places,
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}), **kw)


REASON_HELP = "Needed when you change or clear a value already recorded: it is kept with the old value."


class TechniqueRatingForm(forms.Form):
    items_correct = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                              label="Performed correctly")
    fresh_pct = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=1,
                                   label="First reps (% correct)", widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    fatigued_pct = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=1,
                                      label="Last reps (% correct)", widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    video = forms.FileField(required=False, label="Video (short clip)",
                            validators=[validate_video_size, validate_video_file],
                            help_text="MP4, MOV, WebM, MKV, 3GP or AVI.",
                            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    video_url = forms.URLField(required=False, label="…or a link to the video", assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["items_correct"].choices = CHECKLISTS[kind]


class MeasurementForm(forms.Form):
    """A session's measurements. The peak speed is entered as GPS or timing gates give it (m/s or km/h, converted
    with the athlete's Vmax) or directly as % of Vmax."""

    UNITS = [("mps", "m/s"), ("kmh", "km/h"), ("pct", "% of Vmax")]

    peak_speed = _decimal("Peak speed", 0, 120, places=2, help_text="The session's highest speed.")
    peak_speed_unit = forms.ChoiceField(choices=UNITS, label="Unit", initial="mps")
    efforts_95 = forms.IntegerField(label="Efforts at ≥ 95 % of Vmax", required=False, min_value=0, max_value=100,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                    help_text="Counted by the GPS or by the coach. Phase 4 needs 3 in the phase.")
    full_session = forms.BooleanField(label="Full team or race-pace session", required=False,
                                      help_text="Phase 5 needs 2 in the phase.")
    apprehension = _decimal("H-test insecurity (0-100)", 0, 100,
                            help_text="The Askling H-test, if done with this session: 0 = no insecurity.")
    reason = forms.CharField(label="Reason", required=False, max_length=1000, help_text=REASON_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, log, clinician: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.log = log
        if not clinician:
            del self.fields["apprehension"]
        vmax = log.athlete.vmax_mps
        self.fields["peak_speed"].help_text = (
            f"The session's highest speed. Vmax on record: {vmax} m/s." if vmax else
            "No Vmax on record for this athlete: enter the speed as % of Vmax, or add the Vmax in the plan settings.")
        if not self.is_bound:
            if log.peak_speed_mps is not None:
                self.initial.update(peak_speed=log.peak_speed_mps, peak_speed_unit="mps")
            elif log.peak_speed_pct is not None:
                self.initial.update(peak_speed=log.peak_speed_pct, peak_speed_unit="pct")
            elif not vmax:
                self.initial["peak_speed_unit"] = "pct"
            self.initial.update(efforts_95=log.efforts_95, full_session=log.full_session)
            if clinician:
                self.initial["apprehension"] = log.apprehension

    def clean(self):
        data = super().clean()
        value, unit = data.get("peak_speed"), data.get("peak_speed_unit")
        if value is not None and unit in ("mps", "kmh"):
            mps = value if unit == "mps" else (value / Decimal("3.6")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if mps > 15:
                self.add_error("peak_speed", f"{mps} m/s is faster than any human sprints: check the unit.")
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        value, unit = data.get("peak_speed"), data.get("peak_speed_unit")
        fields = {"efforts_95": data.get("efforts_95"), "full_session": bool(data.get("full_session"))}
        if value is None:
            fields.update(peak_speed_mps=None, peak_speed_pct=None)
        elif unit == "pct":
            fields["peak_speed_pct"] = value
        else:
            fields["peak_speed_mps"] = value if unit == "mps" else (value / Decimal("3.6")).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
        if "apprehension" in self.fields:
            fields["apprehension"] = data.get("apprehension")
        return fields
