"""Staff and public forms that are not intake steps: self-referral and the provider's decision."""

import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core import signing

from clinic.models import Route
from intake.forms import AboutYouForm, StepForm
from intake.models import Decision
from intake.questions import STEPS

MINIMUM_FILL_SECONDS = 3
MAXIMUM_FILL_SECONDS = 24 * 60 * 60
FORM_STARTED_SALT = "intake.self-referral.started"


class SelfReferralForm(StepForm):
    """A few details to start with; the intake itself asks for the rest."""

    legal_first_name = AboutYouForm.base_fields["legal_first_name"]
    legal_last_name = AboutYouForm.base_fields["legal_last_name"]
    date_of_birth = AboutYouForm.base_fields["date_of_birth"]
    phone = AboutYouForm.base_fields["phone"]
    email = forms.EmailField(
        label="Email",
        help_text="We send your private link here, so that you can come back to the form.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter an email address like name@example.com.",
        },
    )
    # A field people never see; software that fills every box fills it.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    clean_date_of_birth = AboutYouForm.clean_date_of_birth
    clean_phone = AboutYouForm.clean_phone

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].label = "Leave this empty"
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=FORM_STARTED_SALT)
        self.helper.layout = Layout(
            "legal_first_name", "legal_last_name", "date_of_birth", "phone", "email", "started"
        )

    def is_spam(self) -> bool:
        """True for a filled honeypot, or a form sent too fast, too late or tampered with."""
        if self.data.get("website"):
            return True
        try:
            started = signing.loads(
                self.data.get("started", ""), salt=FORM_STARTED_SALT, max_age=MAXIMUM_FILL_SECONDS
            )
            elapsed = time.time() - float(started)
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return elapsed < MINIMUM_FILL_SECONDS


REOPENABLE_STEPS = [(step.slug, step.title) for step in STEPS if step.reopenable]


class DecisionForm(forms.Form):
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
