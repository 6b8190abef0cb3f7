"""What every intake step form shares: plain messages, marked optional questions, JSON answers."""

import json

from crispy_forms.helper import FormHelper
from django import forms
from django.core.serializers.json import DjangoJSONEncoder

from clinic.forms import refuse_invisible_characters
from intake.questions import YES_NO

DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"]
REQUIRED = "Please answer this question."


def as_json(data):
    """Cleaned data in the form it is stored (dates as ISO strings, decimals as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def yes_no(label, **kwargs):
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, **kwargs)


class BirthDateInput(forms.DateInput):
    """A plain text box: typing a date works with every keyboard and screen reader."""

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": "MM/DD/YYYY",
            "inputmode": "numeric",
            "autocomplete": "bday",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%m/%d/%Y")


class StepForm(forms.Form):
    """Marks optional questions in their label and gives every field a plain message."""

    # Fields that clean() requires or not depending on another answer: not marked optional.
    required_depending_on_other_answers = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_fields()
        refuse_invisible_characters(self.fields)
        for name, field in self.fields.items():
            field.error_messages.setdefault("required", REQUIRED)
            if field.error_messages["required"] == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = REQUIRED
            if name in self.required_depending_on_other_answers:
                continue
            if not field.required and field.label and not str(field.label).endswith("(optional)"):
                field.label = f"{field.label} (optional)"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        layout = self.layout()
        if layout is not None:
            self.helper.layout = layout

    def add_fields(self):
        """Questions generated from a list are added here, before labels are marked."""

    def layout(self):
        return None

    def to_json(self):
        return as_json(self.cleaned_data)
