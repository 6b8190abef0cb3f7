"""One form per intake step. Each validates on the server, in words a patient understands."""

import datetime
import unicodedata
from decimal import Decimal

from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils import timezone

from clinic.forms import instrument_answers, instrument_fields
from clinic.instruments import GAD7, PHQ9
from clinic.models import Clinic
from clinic.validators import (
    age_on,
    normalize_phone,
    validate_not_in_future,
    validate_phone,
    validate_plausible_birth_date,
)
from intake.forms.base import DATE_INPUT_FORMATS, REQUIRED, BirthDateInput, StepForm, yes_no
from intake.questions import CONTRAINDICATIONS, DIAGNOSES


class AboutYouForm(StepForm):
    # Autocomplete names (WHATWG) let a phone fill the patient's own details in.
    legal_first_name = forms.CharField(
        label="Legal first name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    legal_last_name = forms.CharField(
        label="Legal last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    preferred_name = forms.CharField(
        label="Name you like to be called",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=DATE_INPUT_FORMATS,
        widget=BirthDateInput(),
        help_text="For example 04/28/1985.",
        error_messages={
            "required": "Please enter your date of birth.",
            "invalid": "Please enter a real date as MM/DD/YYYY, for example 04/28/1985.",
        },
    )
    pronouns = forms.CharField(label="Pronouns", max_length=50, required=False)
    phone = forms.CharField(
        label="Mobile phone",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": "Please enter a phone number the clinic can call."},
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Please enter an email address like name@example.com."},
    )
    address_line1 = forms.CharField(
        label="Street address",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label="Apartment, suite or unit",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label="City",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    state = forms.CharField(
        label="State",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label="ZIP code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    preferred_language = forms.CharField(label="Preferred language", max_length=50)

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        if isinstance(initial.get("date_of_birth"), str):
            try:
                initial["date_of_birth"] = datetime.date.fromisoformat(initial["date_of_birth"])
            except ValueError:
                initial.pop("date_of_birth")
        super().__init__(*args, initial=initial, **kwargs)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        validate_not_in_future(born)
        validate_plausible_birth_date(born)
        minimum_age = Clinic.load().minimum_patient_age
        if age_on(born, timezone.localdate()) < minimum_age:
            raise forms.ValidationError(
                "This clinic treats people aged %(age)s and over. Please call us if this date "
                "is right.",
                code="too_young",
                params={"age": minimum_age},
            )
        return born

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        validate_phone(phone)
        return normalize_phone(phone)


class ContactsForm(StepForm):
    emergency_contact_name = forms.CharField(label="Emergency contact's name", max_length=200)
    emergency_contact_relationship = forms.CharField(
        label="How they are related to you", max_length=100
    )
    emergency_contact_phone = forms.CharField(
        label="Emergency contact's phone", max_length=20, widget=forms.TextInput({"type": "tel"})
    )
    escort_name = forms.CharField(label="Name of the adult who will take you home", max_length=200)
    escort_phone = forms.CharField(
        label="Their phone", max_length=20, widget=forms.TextInput({"type": "tel"})
    )

    def layout(self):
        return Layout(
            Fieldset(
                "Emergency contact",
                "emergency_contact_name",
                "emergency_contact_relationship",
                "emergency_contact_phone",
            ),
            Fieldset(
                "Your ride home",
                HTML(
                    '<p class="form-text">After each session an adult must take you home. '
                    "You may not drive until the next day, after a night's sleep.</p>"
                ),
                "escort_name",
                "escort_phone",
            ),
        )

    def clean_emergency_contact_phone(self):
        validate_phone(self.cleaned_data["emergency_contact_phone"])
        return normalize_phone(self.cleaned_data["emergency_contact_phone"])

    def clean_escort_phone(self):
        validate_phone(self.cleaned_data["escort_phone"])
        return normalize_phone(self.cleaned_data["escort_phone"])


class MedicalForm(StepForm):
    required_depending_on_other_answers = ("height_feet", "weight_lb", "height_cm", "weight_kg")

    other_conditions = forms.CharField(
        label="Any other health conditions or operations",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    units = forms.ChoiceField(
        label="Units for height and weight",
        choices=[("us", "Feet, inches and pounds"), ("metric", "Centimeters and kilograms")],
        widget=forms.RadioSelect,
        initial="us",
    )
    height_feet = forms.IntegerField(label="Height: feet", min_value=3, max_value=8, required=False)
    height_inches = forms.IntegerField(
        label="Height: inches (optional)", min_value=0, max_value=11, required=False
    )
    weight_lb = forms.DecimalField(
        label="Weight in pounds", min_value=60, max_value=700, decimal_places=1, required=False
    )
    height_cm = forms.DecimalField(
        label="Height in centimeters", min_value=90, max_value=250, decimal_places=1, required=False
    )
    weight_kg = forms.DecimalField(
        label="Weight in kilograms", min_value=27, max_value=320, decimal_places=1, required=False
    )
    bp_systolic = forms.IntegerField(
        label="Last blood pressure: top number", min_value=60, max_value=260, required=False
    )
    bp_diastolic = forms.IntegerField(
        label="Last blood pressure: bottom number", min_value=30, max_value=180, required=False
    )

    def add_fields(self):
        screening = {key: yes_no(question) for key, question, _flag in CONTRAINDICATIONS}
        self.fields = {**screening, **self.fields}

    def layout(self):
        return Layout(
            Fieldset("Health screening", *[key for key, _q, _f in CONTRAINDICATIONS]),
            "other_conditions",
            Fieldset(
                "Height and weight (required, used for weight-based dosing)",
                "units",
                Div("height_feet", "height_inches", "weight_lb", css_class="units-us"),
                Div("height_cm", "weight_kg", css_class="units-metric"),
            ),
            Fieldset("Blood pressure, if you know it", "bp_systolic", "bp_diastolic"),
        )

    def clean(self):
        data = super().clean()
        if data.get("units") == "us":
            needed = ["height_feet", "weight_lb"]
        else:
            needed = ["height_cm", "weight_kg"]
        for name in needed:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, forms.ValidationError(REQUIRED, code="required"))
        if not self.errors:
            if data["units"] == "us":
                inches = data["height_feet"] * 12 + (data.get("height_inches") or 0)
                data["height_cm"] = (Decimal(inches) * Decimal("2.54")).quantize(Decimal("0.1"))
                data["weight_kg"] = (data["weight_lb"] * Decimal("0.45359237")).quantize(
                    Decimal("0.1")
                )
            else:
                data["height_feet"] = data["height_inches"] = data["weight_lb"] = None
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if (systolic is None) != (diastolic is None):
            missing = "bp_diastolic" if diastolic is None else "bp_systolic"
            if missing not in self.errors:
                self.add_error(
                    missing, "Please enter both numbers, or leave both empty if you don't know."
                )
        elif systolic is not None and systolic <= diastolic:
            self.add_error(
                "bp_systolic", "The top number is usually the larger one. Please check it."
            )
        return data


class MentalHealthForm(StepForm):
    diagnoses = forms.MultipleChoiceField(
        label="Conditions a professional has diagnosed",
        choices=DIAGNOSES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_diagnoses = forms.CharField(label="Other diagnoses", max_length=500, required=False)
    hospitalized = yes_no("Have you ever stayed in hospital for your mental health?")
    hospitalization_details = forms.CharField(
        label="When, and for how long",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    psychosis_or_mania = yes_no(
        "Have you ever had psychosis (hearing or seeing things others don't, or beliefs others "
        "found strange) or mania (days of very high energy and little need for sleep)?"
    )
    substance_use = yes_no(
        "In the last 12 months, has alcohol or drug use caused problems for you?"
    )
    ketamine_or_pcp = yes_no(
        "Have you ever used ketamine or PCP (angel dust) other than as prescribed?"
    )
    substance_details = forms.CharField(
        label="Anything you want to tell us about alcohol or drug use",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    therapist = forms.CharField(
        label="Your current therapist or counselor (name and phone)", max_length=300, required=False
    )
    psychiatrist = forms.CharField(
        label="Your current psychiatrist (name and phone)", max_length=300, required=False
    )


class QuestionnaireForm(StepForm):
    instrument = None

    def add_fields(self):
        self.fields.update(instrument_fields(self.instrument))

    def answers(self):
        return instrument_answers(self.instrument, self.cleaned_data)


class PHQ9Form(QuestionnaireForm):
    instrument = PHQ9


class GAD7Form(QuestionnaireForm):
    instrument = GAD7


class ConsentForm(StepForm):
    signed_name = forms.CharField(
        label="Type your full name as your signature",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please type your full name to sign."},
    )
    agree = forms.BooleanField(
        label="I have read this consent and I agree to it.",
        error_messages={"required": "Please tick the box to show that you agree."},
    )

    def __init__(self, *args, last_name="", **kwargs):
        self.last_name = last_name
        super().__init__(*args, **kwargs)

    def clean_signed_name(self):
        name = " ".join(self.cleaned_data["signed_name"].split())
        if any(unicodedata.category(character) in ("Cc", "Cf") for character in name):
            raise forms.ValidationError(
                "Please type your name with letters only.", code="hidden_characters"
            )
        if len(name) < 2:
            raise forms.ValidationError("Please type your full name to sign.", code="too_short")
        if self.last_name and _comparable(self.last_name) not in _comparable(name):
            raise forms.ValidationError(
                "Please type your full name, including your last name as you gave it "
                "(%(last_name)s).",
                code="name_mismatch",
                params={"last_name": self.last_name},
            )
        return name


def _comparable(text):
    """Letters only, without accents or case: "Hernández" matches "hernandez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()
