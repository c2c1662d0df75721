"""Forms for what staff measure in a session, for corrections and voids, and for the plan's settings."""
from decimal import ROUND_HALF_UP, Decimal

from django import forms

from athletes.forms import DateInput
from athletes.models import Athlete
from sessions.forms import AssessmentForm
from sessions.forms_athlete import SCALE_0_10, SCALE_1_5

WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]
REASON_HELP = "Needed when you change or clear a value already recorded: it is kept with the old value."


def _decimal(label, lo, hi, places=1, **kw):
    return forms.DecimalField(label=label, required=False, min_value=lo, max_value=hi, decimal_places=places,
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}), **kw)


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


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the record with the old values.")


class SessionCorrectionForm(forms.Form):
    """What the athlete logged, as a clinician (or the athlete, on the day) corrects it."""

    date = forms.DateField(widget=DateInput())
    pain_during = forms.TypedChoiceField(label="Worst pain during the session (0-10)", choices=SCALE_0_10, coerce=int)
    rpe = forms.DecimalField(label="Session RPE (0-10)", min_value=0, max_value=10, decimal_places=1,
                             widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}))
    minutes = forms.IntegerField(min_value=0, max_value=600, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reps_done = forms.IntegerField(label="Reps done", required=False, min_value=0, max_value=500,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    red_flag = forms.BooleanField(label="Sharp pain, a pop, forced to stop or new bruising", required=False)
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Reason for the correction", max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ("date", "pain_during", "rpe", "minutes", "reps_done", "red_flag", "notes")

    def __init__(self, *args, log, athlete_view: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if athlete_view:
            del self.fields["date"]
            self.fields["reason"].label = "What was wrong? (optional)"
        else:
            self.fields["reason"].required = True
        if not self.is_bound:
            self.initial.update({name: getattr(log, name) for name in self.FIELDS if name in self.fields})

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.fields}


class ReportCorrectionForm(forms.Form):
    soreness_24h = forms.TypedChoiceField(label="Next-morning soreness (0-10)", choices=SCALE_0_10, coerce=int)
    sleep_quality = forms.TypedChoiceField(label="Sleep quality (1-5)", choices=[("", "—"), *SCALE_1_5],
                                           coerce=int, required=False, empty_value=None)
    fatigue = forms.TypedChoiceField(label="Fatigue (1-5)", choices=[("", "—"), *SCALE_1_5], coerce=int,
                                     required=False, empty_value=None)
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Reason for the correction", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ("soreness_24h", "sleep_quality", "fatigue", "notes")

    def __init__(self, *args, report, athlete_view: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if athlete_view:
            self.fields["reason"].required = False
            self.fields["reason"].label = "What was wrong? (optional)"
        if not self.is_bound:
            self.initial.update({name: getattr(report, name) for name in self.FIELDS})

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class AssessmentCorrectionForm(AssessmentForm):
    reason = forms.CharField(label="Reason for the correction", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class PlanSettingsForm(forms.Form):
    """What the plan knows beside the sessions; a clinician changes it at any time (audited)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    vmax_mps = forms.DecimalField(label="Maximal velocity, Vmax (m/s)", required=False, min_value=3, max_value=13,
                                  decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
                                  help_text="Pre-injury GPS peak or best flying sprint: target speeds and % of Vmax "
                                            "come from it.")
    vmax_source = forms.ChoiceField(label="Vmax from", required=False,
                                    choices=[("", "—"), *Athlete.VmaxSource.choices])
    vmax_date = forms.DateField(label="Vmax measured on", required=False, widget=DateInput())
    baseline_weekly_load = forms.DecimalField(
        label="Pre-injury weekly load (AU)", required=False, min_value=1, max_value=50000, decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
        help_text="RPE × minutes over a typical pre-injury week. Seeds the workload ratio and enables P5's load "
                  "criterion (≥ 90 % of it).")
    training_days = forms.TypedMultipleChoiceField(choices=WEEKDAYS, coerce=int, required=False,
                                                   widget=forms.CheckboxSelectMultiple,
                                                   help_text="Empty: the phase's default days.")
    clearance_date = forms.DateField(label="Return-to-sport clearance", required=False, widget=DateInput(),
                                     help_text="Set by the P5 sign-off. P6's exit counts 28 days from it.")
    advance_requires_signoff = forms.BooleanField(label="Advances wait for my sign-off", required=False,
                                                  help_text="Clearance from P5 and discharge from P6 always wait.")

    ATHLETE = ("vmax_mps", "vmax_source", "vmax_date", "training_days")
    PLAN = ("baseline_weekly_load", "clearance_date", "advance_requires_signoff")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            athlete = plan.injury.athlete
            self.initial.update({name: getattr(athlete, name) for name in self.ATHLETE})
            self.initial.update({name: getattr(plan, name) for name in self.PLAN})
            self.initial["version"] = plan.version

    def clean_training_days(self):
        return sorted(set(self.cleaned_data.get("training_days") or []))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ATHLETE + self.PLAN}
