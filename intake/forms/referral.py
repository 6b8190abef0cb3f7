"""The public self-referral form, with its spam checks."""

import time

from crispy_forms.layout import Layout
from django import forms
from django.core import signing

from intake.forms.base import StepForm
from intake.forms.steps import AboutYouForm

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
