"""The protocol editor's forms: the numbers, the whole JSON, the scenario bench; each carries the version it was
opened on."""
from django import forms

from core import validation
from progression.models import Protocol
from progression.protocol_editing import DAY_NAMES


class ProtocolCloneForm(forms.Form):
    name = forms.CharField(max_length=200)

    def __init__(self, *args, protocol: Protocol | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if protocol is not None and not self.is_bound:
            self.initial["name"] = f"{protocol.name} (our copy)"


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
