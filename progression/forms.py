from django import forms

from athletes.forms import DateInput
from core import validation

from .models import Protocol
from .protocol_editing import DAY_NAMES


class PlanStartForm(forms.Form):
    injury = forms.ModelChoiceField(queryset=None, empty_label=None)
    protocol = forms.ModelChoiceField(queryset=None, empty_label=None)
    start_phase = forms.TypedChoiceField(coerce=int, choices=[(n, f"P{n}") for n in range(7)], initial=0,
                                         help_text="Usually P0. Start later only when the athlete is already running.")
    start_date = forms.DateField(widget=DateInput(), required=False, help_text="Today if empty.")
    baseline_weekly_load = forms.DecimalField(
        label="Pre-injury weekly load (AU)", required=False, min_value=1, max_value=50000, decimal_places=1,
        help_text="Optional: RPE x minutes summed over a typical pre-injury week. Enables the load criterion in P5.",
    )
    advance_requires_signoff = forms.BooleanField(
        label="Advances wait for my sign-off", required=False, initial=True,
        help_text="Clearance from P5 and discharge from P6 always wait for sign-off.",
    )
    clearance_date = forms.DateField(
        label="Return-to-sport clearance", widget=DateInput(), required=False,
        help_text="Only for a plan that starts in P6 (surveillance after clearance): its exit counts 28 days from it.",
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
    to_phase = forms.TypedChoiceField(coerce=int, choices=[(n, f"P{n}") for n in range(7)], label="Put the plan in")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    clearance_date = forms.DateField(required=False, widget=DateInput(),
                                     help_text="Needed when the plan moves past clearance (P6) without a P5 sign-off.")


class ProtocolCloneForm(forms.Form):
    name = forms.CharField(max_length=200)

    def __init__(self, *args, protocol: Protocol | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if protocol is not None and not self.is_bound:
            self.initial["name"] = f"{protocol.name} (our copy)"


class NoteForm(forms.Form):
    body = forms.CharField(label="Your note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ProtocolBaseVersionForm(forms.Form):
    """Carries the newest version of the protocol when the page was rendered: a save made after someone else saved a
    newer one is refused (progression.services.protocol_new_version)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages={
        "required": "This page is out of date: open the protocol again and make your change.",
        "invalid": "This page is out of date: open the protocol again and make your change.",
        "min_value": "This page is out of date: open the protocol again and make your change.",
    })


class ProtocolNumbersForm(ProtocolBaseVersionForm):
    """One number field per threshold; built from the definition (progression.protocol_editing)."""

    name = forms.CharField(max_length=200, label="Name of the new version")

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if row.get("kind") == "days":
                self.fields[row["key"]] = forms.TypedMultipleChoiceField(
                    label=row["label"], initial=row["value"], required=False, coerce=int,
                    choices=[(n, name) for n, name in enumerate(DAY_NAMES, start=1)],
                    widget=forms.CheckboxSelectMultiple,
                    help_text="None ticked: spread by the sessions a week and the spacing.")
                continue
            self.fields[row["key"]] = forms.DecimalField(
                label=row["label"], initial=row["value"], max_digits=8, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))

    def groups(self):
        grouped = {}
        for row in self.rows:
            grouped.setdefault(row["group"], []).append(self[row["key"]])
        return grouped.items()


def _not_a_number(name):
    raise ValueError(f"{name} is not a number")


class ProtocolJsonForm(ProtocolBaseVersionForm):
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
                                 help_text="The whole protocol as JSON: phases, prescriptions, rules and sources.")

    def clean_definition(self):
        import json
        from decimal import Decimal

        text = self.cleaned_data["definition"]
        validation.check_json_depth(text)  # before parsing: a 50,000-deep paste is a form error, not a 500
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_not_a_number)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
        except ValueError as exc:  # NaN / Infinity, or an integer with thousands of digits
            raise forms.ValidationError(f"Not valid JSON: {exc}.") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The protocol must be a JSON object.")
        validation.check_no_nul(data)
        return data


class ScenarioBenchForm(forms.Form):
    file = forms.FileField(required=False, label="Scenario file (JSON)")
    text = forms.CharField(required=False, label="…or paste the scenarios",
                           widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}))

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a scenario file or paste its content.")
        if "\x00" in data["text"]:
            raise forms.ValidationError(validation.NUL_MESSAGE)
        validation.check_json_depth(data["text"])
        return data
