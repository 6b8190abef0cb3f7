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
        """True for a filled honeypot or a start time tampered with: no person does that."""
        if self.data.get("website"):
            return True
        try:
            float(signing.loads(self.data.get("started", ""), salt=FORM_STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return False

    def needs_sending_again(self) -> bool:
        """Sent within seconds of opening (a browser's autofill can do that) or after the page
        stood open a day: the person is asked to check the answers and send again."""
        try:
            started = signing.loads(
                self.data.get("started", ""), salt=FORM_STARTED_SALT, max_age=MAXIMUM_FILL_SECONDS
            )
        except signing.SignatureExpired:
            return True
        return time.time() - float(started) < MINIMUM_FILL_SECONDS

    def restarted(self):
        """The same answers with a new start time, for sending again."""
        data = self.data.copy()
        data["started"] = signing.dumps(time.time(), salt=FORM_STARTED_SALT)
        return type(self)(data=data)
