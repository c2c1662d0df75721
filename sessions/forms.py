from django import forms

from athletes.forms import DateInput

from .models import Assessment


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
