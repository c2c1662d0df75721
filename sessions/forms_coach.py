from django import forms

from .checklists import CHECKLISTS


class TechniqueRatingForm(forms.Form):
    items_correct = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                              label="Performed correctly")
    fresh_pct = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=1,
                                   label="First reps (% correct)", widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    fatigued_pct = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=1,
                                      label="Last reps (% correct)", widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    video = forms.FileField(required=False, label="Video (short clip)",
                            widget=forms.ClearableFileInput(attrs={"accept": "video/*"}))
    video_url = forms.URLField(required=False, label="…or a link to the video", assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["items_correct"].choices = CHECKLISTS[kind]
