from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from clinic.closing import booked_outside
from clinic.instruments import ANSWER_OPTIONS, DIFFICULTY_OPTIONS
from clinic.models import Patient
from clinic.validators import validate_plain_multiline_text, validate_plain_text


def refuse_invisible_characters(fields):
    """Give every text box of a form the plain-text rule (clinic/validators.py).

    Multi-line boxes keep their tabs and line breaks; passwords are compared, never
    shown, and JSON has its own rules, so both are left alone.
    """
    for field in fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field, forms.JSONField):
            continue
        if isinstance(field.widget, forms.PasswordInput):
            continue
        multiline = isinstance(field.widget, forms.Textarea)
        validator = validate_plain_multiline_text if multiline else validate_plain_text
        if validator not in field.validators:
            field.validators.append(validator)


class PlainTextForm:
    """A form mixin: every text box refuses characters a reader cannot see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_invisible_characters(self.fields)


class UntaggedForm:
    """A form mixin: crispy draws the fields, and the template its own <form> tag (to
    set the action, the buttons and the error summary around them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an active staff account. "
        "Passwords are case-sensitive.",
    }


class AppCodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Type the 6-digit code your authenticator app shows."},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(
                "The code is 6 digits, like 123 456. Type the one your app shows now.",
                code="format",
            )
        return code


class RecoveryCodeForm(forms.Form):
    """One of the ten codes shown once at enrolment."""

    code = forms.CharField(
        label="Recovery code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Type one of your recovery codes."},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not (code.isascii() and code.isalnum() and len(code) == 8):
            raise forms.ValidationError(
                "A recovery code is 8 letters and digits, like abcd2345.", code="format"
            )
        return code


class PatientSearchForm(PlainTextForm, forms.Form):
    q = forms.CharField(
        label="Search patients",
        required=False,
        max_length=100,
        help_text="Name, MRN, date of birth (MM/DD/YYYY) or phone number.",
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """Django's select, its options written in Python rather than a template each.

    A series' booking page draws a chair and a clinician for every session: two dozen
    selects of up to fifty options, which cost more through templates (and through the
    dictionary Django builds for every option) than the rest of the page. The markup is
    the same as Django's (templates/django/forms/widgets/select.html). Grouped choices
    are left to Django.
    """

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = []
        for key, label in self.choices:  # once: a queryset's choices read the database
            if isinstance(label, (list, tuple)):
                return super().render(name, value, attrs, renderer)
            selected = " selected" if str(key) in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # noqa: S308 - every value and label escaped above
        )


class SharedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that can check its value against records already read.

    A series' rows share one list of chairs and one of clinicians (`known`, a dict of
    the primary key as text to the record, read from the field's own queryset), so
    checking two dozen fields costs no query each.
    """

    known = None

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.known[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class PatientForm(PlainTextForm, forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person. Create the record anyway.",
    )

    class Meta:
        model = Patient
        fields = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "date_of_birth",
            "sex_assigned_at_birth",
            "gender_identity",
            "pronouns",
            "phone",
            "email",
            "preferred_language",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "escort_name",
            "escort_phone",
        ]
        widgets = {
            "date_of_birth": DateInput(attrs={"autocomplete": "bday"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "escort_phone": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "legal_first_name": {"required": "Enter the patient's legal first name."},
            "legal_last_name": {"required": "Enter the patient's legal last name."},
            "date_of_birth": {
                "required": "Enter the date of birth.",
                "invalid": "Enter a real date of birth, for example 04/28/1985.",
            },
            "phone": {"required": "Enter a phone number so the clinic can reach the patient."},
            "email": {"invalid": "Enter an email address like name@example.com."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Name and identity",
                Row(Column("legal_first_name"), Column("legal_last_name")),
                Row(Column("preferred_name"), Column("date_of_birth")),
                Row(Column("sex_assigned_at_birth"), Column("gender_identity"), Column("pronouns")),
            ),
            Fieldset(
                "Contact",
                Row(Column("phone"), Column("email"), Column("preferred_language")),
                "address_line1",
                "address_line2",
                Row(Column("city"), Column("state"), Column("postal_code")),
            ),
            Fieldset(
                "Emergency contact",
                Row(
                    Column("emergency_contact_name"),
                    Column("emergency_contact_relationship"),
                    Column("emergency_contact_phone"),
                ),
            ),
            Fieldset(
                "Escort home after each session",
                Row(Column("escort_name"), Column("escort_phone")),
            ),
        )

    def clean(self):
        cleaned_data = super().clean()
        first = cleaned_data.get("legal_first_name")
        last = cleaned_data.get("legal_last_name")
        born = cleaned_data.get("date_of_birth")
        if first and last and born and not self.instance.pk:
            self.duplicates = list(
                Patient.objects.likely_duplicates_of(
                    first_name=first, last_name=last, date_of_birth=born
                )
            )
            if self.duplicates and not cleaned_data.get("confirm_not_duplicate"):
                raise forms.ValidationError(
                    "A patient with this name and date of birth is already registered. "
                    "Open the existing record below, or confirm that this is a different person.",
                    code="likely_duplicate",
                )
        return cleaned_data


def instrument_fields(instrument):
    """The fields of a PHQ-9 or GAD-7 form: each item 0-3, and the unscored difficulty question.

    Shared by intake and the follow-up questionnaires, so both ask the same way.
    """
    fields = {}
    for number, text in enumerate(instrument.items, start=1):
        fields[f"item_{number}"] = forms.TypedChoiceField(
            label=f"{number}. {text}",
            choices=ANSWER_OPTIONS,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": "Please choose an answer for this question."},
        )
    fields["difficulty"] = forms.TypedChoiceField(
        label=instrument.difficulty_question,
        choices=DIFFICULTY_OPTIONS,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    return fields


def instrument_answers(instrument, cleaned_data):
    return [cleaned_data[f"item_{number}"] for number in range(1, len(instrument.items) + 1)]


class AcknowledgeFlagForm(PlainTextForm, forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: called the patient, safety plan reviewed.",
        error_messages={"required": "Write what was done, for example who called the patient."},
    )


class AccessLogExportForm(forms.Form):
    first_day = forms.DateField(label="From", widget=DateInput())
    last_day = forms.DateField(label="To (included)", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day comes before the first: swap them.")
        return data


LISTED_BOOKINGS = 20


def save_anyway_field():
    return forms.BooleanField(
        required=False,
        label="Save anyway: the sessions listed will show on the worklist to rebook",
    )


def refuse_unless_saved_anyway(booked, data):
    """The sessions a change leaves outside the clinic's time, listed in the refusal, unless
    the person ticked "Save anyway"."""
    if not booked or data.get("save_anyway"):
        return
    listed = "; ".join(str(booking) for booking in booked[:LISTED_BOOKINGS])
    more = len(booked) - LISTED_BOOKINGS
    raise ValidationError(
        f"{len(booked)} booked session(s) would fall outside the clinic's time: "
        f"{listed}{f'; and {more} more' if more > 0 else ''}. Tick “Save anyway” to "
        "save; they will be listed on the worklist to rebook."
    )


class ClinicTimeForm(forms.ModelForm):
    """Opening hours or a closure: sessions booked outside the new times are listed first.

    Saving them anyway (the box ticked) marks each to rebook on the worklist.
    """

    save_anyway = save_anyway_field()

    def clean(self):
        data = super().clean()
        self.booked = []
        if self.errors:
            return data
        names = {field.name for field in self._meta.model._meta.concrete_fields}
        fields = {name: value for name, value in data.items() if name in names}
        self.booked = booked_outside(self._meta.model(pk=self.instance.pk, **fields))
        refuse_unless_saved_anyway(self.booked, data)
        return data
