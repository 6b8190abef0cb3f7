"""The medications step: three lists of repeatable rows."""

from django import forms

from clinic.forms import PlainTextForm
from intake.forms.base import as_json
from intake.questions import TRIAL_OUTCOMES


class MedicationRowForm(PlainTextForm, forms.Form):
    name = forms.CharField(label="Medication name", max_length=200, required=False)
    dose = forms.CharField(label="Dose, e.g. 20 mg", max_length=100, required=False)
    frequency = forms.CharField(label="How often, e.g. once a day", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("name") and any(data.get(key) for key in ("dose", "frequency")):
            self.add_error("name", "Please enter the name, or clear this row.")
        return data


class AllergyRowForm(PlainTextForm, forms.Form):
    substance = forms.CharField(label="Allergic to", max_length=200, required=False)
    reaction = forms.CharField(label="What happens", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("substance") and data.get("reaction"):
            self.add_error("substance", "Please enter what you are allergic to, or clear this row.")
        return data


class TrialRowForm(PlainTextForm, forms.Form):
    name = forms.CharField(label="Antidepressant name", max_length=200, required=False)
    dose = forms.CharField(label="Highest dose", max_length=100, required=False)
    weeks = forms.IntegerField(label="How many weeks you took it", min_value=0, max_value=1500,
                               required=False)  # fmt: skip
    outcome = forms.ChoiceField(
        label="How it helped",
        choices=[("", "Choose…"), *TRIAL_OUTCOMES],
        required=False,
    )

    def clean(self):
        data = super().clean()
        others = ("dose", "weeks", "outcome")
        if not data.get("name") and any(data.get(key) not in (None, "") for key in others):
            self.add_error("name", "Please enter the name, or clear this row.")
        return data


class RowsFormSet(forms.BaseFormSet):
    def clean(self):
        # The page always sends at least one row; fewer means the request was altered,
        # and accepting it would erase the saved rows.
        if self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 1:
            raise forms.ValidationError(
                "Something went wrong with this page. Please reload it; your saved answers "
                "are unchanged.",
                code="no_rows_sent",
            )


def _formset(form_class):
    return forms.formset_factory(
        form_class,
        formset=RowsFormSet,
        extra=2,
        max_num=30,
        absolute_max=30,
        validate_max=True,
    )


class MedicationsForm:
    """Three lists of repeatable rows, validated and saved together as one step."""

    sections = [
        ("medications", "Medications you take now", MedicationRowForm, "name"),
        ("allergies", "Allergies", AllergyRowForm, "substance"),
        ("trials", "Antidepressants you have tried before", TrialRowForm, "name"),
    ]

    def __init__(self, data=None, initial=None):
        initial = initial or {}
        self.formsets = [
            (
                key,
                title,
                _formset(form_class)(
                    data,
                    initial=[row for row in initial.get(key, []) if isinstance(row, dict)],
                    prefix=key,
                ),
            )
            for key, title, form_class, _name in self.sections
        ]
        self.is_bound = data is not None

    def is_valid(self):
        # Validate every formset (no short-circuit), so that all errors are shown at once.
        results = [formset.is_valid() for _key, _title, formset in self.formsets]
        return all(results)

    @property
    def errors(self):
        return [
            error
            for _key, _title, formset in self.formsets
            for error in [*formset.non_form_errors(), *(f.errors for f in formset if f.errors)]
        ]

    def to_json(self):
        named_by = {key: name for key, _title, _form, name in self.sections}
        return as_json(
            {
                key: [
                    row
                    for row in formset.cleaned_data
                    if row and row.get(named_by[key]) and not row.get("DELETE")
                ]
                for key, _title, formset in self.formsets
            }
        )
