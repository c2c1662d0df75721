"""The athlete's phone forms: big 0-10 buttons, a few numbers, and a client id so a retry is never a duplicate."""
import uuid

from django import forms

from ..forms import SCALE_1_5, ScaleField


class SessionLogForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    pain_during = ScaleField(label="Worst pain during the session", help_text="0 = none, 10 = worst imaginable")
    rpe = ScaleField(label="How hard was it? (RPE)", help_text="0 = rest, 10 = maximal")
    minutes = forms.IntegerField(min_value=0, max_value=600, label="Minutes",
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}))
    reps_done = forms.IntegerField(min_value=0, max_value=500, required=False, label="Reps done",
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}))
    red_flag = forms.BooleanField(required=False, label="Sharp pain, a pop, or I had to stop")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())


class SymptomReportForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    soreness_24h = ScaleField(label="Soreness in the injured thigh this morning", help_text="0 = none, 10 = worst")
    sleep_quality = ScaleField(choices=SCALE_1_5, required=False, label="Sleep quality (optional)", help_text="1 = very poor, 5 = very good")
    fatigue = ScaleField(choices=SCALE_1_5, required=False, label="Fatigue (optional)", help_text="1 = fresh, 5 = exhausted")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())

    def clean_sleep_quality(self):
        return self.cleaned_data.get("sleep_quality") or None

    def clean_fatigue(self):
        return self.cleaned_data.get("fatigue") or None
