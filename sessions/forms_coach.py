from django import forms

from .checklists import CHECKLISTS
from .models import validate_video_size
from .uploads import ACCEPT, validate_video_file


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
