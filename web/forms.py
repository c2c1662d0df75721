"""Form pieces more than one audience uses: dates, the 0-10 scale, reasons, corrections of what an athlete logged."""
from django import forms

SCALE_0_10 = [(n, str(n)) for n in range(11)]
SCALE_1_5 = [(n, str(n)) for n in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScaleField(forms.TypedChoiceField):
    def __init__(self, *, choices=SCALE_0_10, **kwargs):
        super().__init__(choices=choices, coerce=int, widget=forms.RadioSelect, **kwargs)


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
