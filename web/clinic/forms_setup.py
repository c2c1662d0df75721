"""The clinic's set-up forms: teams, coach invitations, coaches of a team, an athlete's team."""
from django import forms

from athletes import selectors as athlete_selectors
from athletes.models import Team
from core.filters import MAX_ID


def _is_id(value) -> bool:
    """A primary key the database can compare: a whole number 1 .. 2**63-1 (a bigger one overflows SQLite)."""
    text = str(value)
    return text.isascii() and text.isdecimal() and len(text) <= 19 and 1 <= int(text) <= MAX_ID


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=200,
                           error_messages={"required": "Give the team a name."})


class CoachInviteForm(forms.Form):
    email = forms.EmailField(label="Coach's email", max_length=254,
                             help_text="We email them a link to choose a password (it works once).",
                             error_messages={"required": "Enter the coach's email address.",
                                             "invalid": "Enter an email address such as coach@example.org."})
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)


class _CoachChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()

    def _check_values(self, value):
        if any(not _is_id(v) for v in value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(value)


class _TeamChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class TeamCoachesForm(forms.Form):
    coaches = _CoachChoice(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Coaches of this team",
        help_text="Coaches see the athletes of their teams on their week page. Leave all unticked for none.",
        error_messages={"invalid_choice": "Choose coaches of your organisation (invite a new coach first).",
                        "invalid_pk_value": "Choose coaches of your organisation (invite a new coach first)."},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = athlete_selectors.coaches_of(organisation=organisation).order_by(
            "first_name", "last_name", "username")


class AthleteMoveForm(forms.Form):
    team = _TeamChoice(
        queryset=None, required=False, empty_label="No team", label="Team",
        error_messages={"invalid_choice": "Choose one of your organisation's teams: an athlete cannot move to a "
                                          "team of another organisation."},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation).order_by("name")
