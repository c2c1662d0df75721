"""The clinician's forms: athletes, injuries, assessments, plans (start, settings), decisions (reject, override)."""
from django import forms

from athletes.models import Athlete, Injury, Team
from progression.models import MAX_PHASE
from sessions.models import Assessment

from ..forms import DateInput

WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]


class AthleteForm(forms.ModelForm):
    login_email = forms.EmailField(
        required=False, label="Athlete's email (phone login)",
        help_text="We email them a link to choose a password; they log sessions from their phone.",
    )
    training_days = forms.TypedMultipleChoiceField(
        choices=[(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")],
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty to use the phase's default days.",
    )

    class Meta:
        model = Athlete
        fields = ["first_name", "last_name", "date_of_birth", "team", "sport", "position", "dominant_leg",
                  "vmax_mps", "vmax_source", "vmax_date", "training_days", "external_id", "login_email"]
        widgets = {"date_of_birth": DateInput(), "vmax_date": DateInput()}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's clean() checks the team against the organisation: the form's instance must know it.
        self.instance.organisation = organisation
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation) if organisation else Team.objects.none()
        self.fields["vmax_mps"].widget.attrs.update(step="0.01", inputmode="decimal")

    def clean_training_days(self):
        return sorted(set(self.cleaned_data.get("training_days") or []))


class InjuryForm(forms.ModelForm):
    class Meta:
        model = Injury
        fields = ["side", "muscle", "bamic_grade", "bamic_site", "mechanism", "date_of_injury", "notes"]
        widgets = {"date_of_injury": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"bamic_site": "a myofascial, b musculotendinous, c intratendinous (the slowest to heal)."}


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "pain_palpation", "ake_deficit_deg", "pslr_injured_deg", "pslr_uninjured_deg",
                  "strength_method", "strength_injured_n", "strength_uninjured_n", "h_test_insecurity",
                  "technique_pct", "notes"]
        widgets = {"assessed_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("strength_injured_n", "strength_uninjured_n"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.1", "data-lsi": name})
        # Empty only for a strength test imported from a device file: a clinician's assessment records the pain.
        self.fields["pain_palpation"].required = self.instance.pk is None or self.instance.pain_palpation is not None


class AssessmentCorrectionForm(AssessmentForm):
    reason = forms.CharField(label="Reason for the correction", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class PlanStartForm(forms.Form):
    injury = forms.ModelChoiceField(queryset=None, empty_label=None)
    protocol = forms.ModelChoiceField(queryset=None, empty_label=None)
    start_phase = forms.IntegerField(min_value=0, max_value=MAX_PHASE, initial=0, label="Start in phase",
                                     help_text="Usually the first phase (P0). Start later only when the athlete is "
                                               "already running.")
    start_date = forms.DateField(widget=DateInput(), required=False, help_text="Today if empty.")
    baseline_weekly_load = forms.DecimalField(
        label="Pre-injury weekly load (AU)", required=False, min_value=1, max_value=50000, decimal_places=1,
        help_text="Optional: RPE x minutes summed over a typical pre-injury week. Enables the load criterion in P5.",
    )
    advance_requires_signoff = forms.BooleanField(
        label="Advances wait for my sign-off", required=False, initial=True,
        help_text="Return-to-sport clearance and discharge always wait for sign-off.",
    )
    clearance_date = forms.DateField(
        label="Return-to-sport clearance", widget=DateInput(), required=False,
        help_text="Only for a plan that starts after return-to-sport clearance (surveillance): its exit counts the "
                  "days from it.",
    )

    def __init__(self, *args, injuries, protocols, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["injury"].queryset = injuries
        self.fields["protocol"].queryset = protocols


class PlanVersionForm(forms.Form):
    """Carries the plan version the page was rendered with: a stale one is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class RejectForm(PlanVersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OverrideForm(PlanVersionForm):
    to_phase = forms.IntegerField(min_value=0, max_value=MAX_PHASE, label="Put the plan in")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    clearance_date = forms.DateField(required=False, widget=DateInput(),
                                     help_text="Needed when the plan moves past return-to-sport clearance without its "
                                               "sign-off.")


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
                                     help_text="Set by the clearance sign-off. Surveillance counts the days from it.")
    advance_requires_signoff = forms.BooleanField(label="Advances wait for my sign-off", required=False,
                                                  help_text="Clearance and discharge always wait.")

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


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: the names, contact details, free text and login go for good; only the clinical numbers stay.",
        error_messages={"required": "Tick the box to confirm: anonymising cannot be undone."})
# --- device imports --------------------------------------------------------------------------------------------

class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Device file (CSV)",
                           help_text="A VALD Hub export (NordBord, ForceFrame), a GPS session summary (Catapult, "
                                     "STATSports) or a raw speed trace; another device through a saved column mapping.")
    source = forms.ChoiceField(label="Kind of file", initial="auto", choices=[
        ("auto", "Detect from the columns"), ("vald", "VALD Hub export (NordBord / ForceFrame)"),
        ("catapult", "GPS summary, Catapult-style"), ("statsports", "GPS summary, STATSports-style"),
        ("trace", "Raw speed trace (one athlete, one session)")])
    mapping = forms.ModelChoiceField(label="Saved column mapping", required=False, queryset=None,
                                     help_text="For another device's CSV: the columns you saved for it.")
    unit = forms.ChoiceField(label="Speed unit", initial="auto", choices=[
        ("auto", "Detect (from the column name, else the values)"), ("mps", "m/s"), ("kmh", "km/h")])
    date_order = forms.ChoiceField(label="Dates like 03/04/2025 are", initial="dmy", choices=[
        ("dmy", "day/month/year"), ("mdy", "month/day/year")])
    efforts_are_95 = forms.BooleanField(
        label="The summary's efforts column counts efforts at ≥ 95 % of each athlete's Vmax", required=False)
    athlete = forms.ModelChoiceField(label="Athlete (for a raw speed trace)", required=False, queryset=None)
    session_date = forms.DateField(label="Session date (for a raw speed trace)", required=False, widget=DateInput())

    def __init__(self, *args, athletes=None, mappings=None, max_bytes: int, too_large, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["athlete"].queryset = athletes
        self.fields["mapping"].queryset = mappings
        self.max_bytes, self.too_large = max_bytes, too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(self.too_large(upload.size))
        return upload


class ColumnMappingForm(forms.Form):
    name = forms.CharField(label="Device or source", max_length=100, help_text="e.g. “Clinic dynamometer”")
    kind = forms.ChoiceField(label="Kind", choices=[("strength", "Strength test"), ("speed", "GPS session summary")])
    date = forms.CharField(label="Date column", max_length=100)
    name_column = forms.CharField(label="Athlete name column", max_length=100, required=False)
    external_id = forms.CharField(label="Athlete id column", max_length=100, required=False)
    time = forms.CharField(label="Time column", max_length=100, required=False)
    l_force = forms.CharField(label="Left leg force (N) column", max_length=100, required=False)
    r_force = forms.CharField(label="Right leg force (N) column", max_length=100, required=False)
    test = forms.CharField(label="Test name column", max_length=100, required=False)
    method = forms.ChoiceField(label="Test method (every line)", required=False, choices=[
        ("", "From the test column"), ("nordic", "Nordic"), ("iso_90_90", "Isometric 90/90"),
        ("iso_0_30", "Isometric 0/30"), ("custom", "Other hamstring test (custom)")])
    max_speed = forms.CharField(label="Maximum speed column", max_length=100, required=False)
    efforts = forms.CharField(label="Efforts column", max_length=100, required=False)

    def service_columns(self) -> dict:
        data = dict(self.cleaned_data)
        data["name"] = data.pop("name_column", "")
        for key in ("kind",):
            data.pop(key)
        return data
