from django import forms

from .models import Athlete, Injury, Team


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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
                  "vmax_mps", "vmax_source", "vmax_date", "training_days", "login_email"]
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
