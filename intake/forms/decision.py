"""The provider's decision on a submitted intake."""

from crispy_forms.helper import FormHelper
from django import forms

from clinic.forms import PlainTextForm
from clinic.models import Route
from intake.models import Decision
from intake.questions import STEPS

REOPENABLE_STEPS = [(step.slug, step.title) for step in STEPS if step.reopenable]


class DecisionForm(PlainTextForm, forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=Decision.choices, widget=forms.RadioSelect
    )
    routes = forms.ModelMultipleChoiceField(
        label="Cleared for these routes",
        queryset=Route.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(
        label="Reason (for not eligible) or note",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen_steps = forms.MultipleChoiceField(
        label="Sections the patient should complete again",
        choices=REOPENABLE_STEPS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    message = forms.CharField(
        label="Message to the patient",
        max_length=2000,
        required=False,
        help_text="Sent by email with a new link. Write no diagnosis in it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.CLEARED and not data.get("routes"):
            self.add_error("routes", "Choose at least one route the patient is cleared for.")
        if decision == Decision.NOT_ELIGIBLE and not data.get("reason"):
            self.add_error("reason", "Give the reason the patient is not eligible.")
        if decision == Decision.MORE_INFO:
            if not data.get("reopen_steps"):
                self.add_error("reopen_steps", "Choose the sections the patient should complete.")
            if not data.get("message"):
                self.add_error("message", "Tell the patient what information is needed.")
        return data
