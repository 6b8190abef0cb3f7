"""Forms for follow-ups and outcome measures."""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.forms import PlainTextForm, instrument_answers, instrument_fields
from clinic.instruments import INSTRUMENTS
from clinic.models import Clinic, Room
from followups.models import FollowUp
from scheduling.forms import (
    DateInput,
    TimeInput,
    clinicians,
    validate_booking_day,
    validate_start_time,
)


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


def providers():
    return get_user_model().objects.filter(groups__name="Provider", is_active=True)


class FollowUpForm(PlainTextForm, forms.ModelForm):
    """A follow-up added by hand."""

    class Meta:
        model = FollowUp
        fields = ["kind", "due_from", "due_by", "provider", "note"]
        widgets = {"due_from": DateInput(), "due_by": DateInput()}
        labels = {"due_from": "Due from", "due_by": "Due by (last day)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["due_from"].initial = today + datetime.timedelta(days=7)
        self.fields["due_by"].initial = today + datetime.timedelta(days=13)
        self.fields["provider"].queryset = providers()
        self.helper = _helper()

    def clean_due_from(self):
        day = self.cleaned_data["due_from"]
        if day < timezone.localdate() - datetime.timedelta(days=365):
            raise forms.ValidationError(
                "A follow-up cannot start more than a year ago.", code="too_early"
            )
        return day

    def clean_due_by(self):
        day = self.cleaned_data["due_by"]
        if day > timezone.localdate() + datetime.timedelta(days=2 * 365):
            raise forms.ValidationError(
                "The last day must be within the next two years.", code="too_far"
            )
        return day

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_by") and data["due_by"] < data["due_from"]:
            self.add_error("due_by", "The last day must be on or after the first day.")
        return data


class FollowUpBookForm(PlainTextForm, forms.Form):
    day = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput(), label="Start time")
    clinician = forms.ModelChoiceField(queryset=None, label="Clinician")
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, label="Room or chair"
    )

    def __init__(self, *args, follow_up, route, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up
        self.fields["clinician"].queryset = clinicians()
        if follow_up.is_remote:
            del self.fields["room"]
        else:
            self.fields["room"].queryset = Room.objects.filter(active=True, routes=route)
            self.fields["room"].required = True
        self.helper = _helper()

    def clean_day(self):
        return validate_booking_day(self.cleaned_data["day"])

    def clean_time(self):
        return validate_start_time(self.cleaned_data["time"])

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time") and self.starts_at() < timezone.now():
            self.add_error("time", forms.ValidationError("This time has passed.", code="past"))
        return data

    def starts_at(self):
        data = self.cleaned_data
        return datetime.datetime.combine(data["day"], data["time"], tzinfo=Clinic.load().zone)


class MeasureForm(PlainTextForm, forms.Form):
    """One PHQ-9 or GAD-7: each item 0-3, and the difficulty question (not scored)."""

    def __init__(self, *args, instrument_code, with_date=False, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.instrument = INSTRUMENTS[instrument_code]
        if with_date:
            self.fields["taken_on"] = forms.DateField(
                widget=DateInput(), initial=timezone.localdate, label="Answered on"
            )
        self.fields.update(instrument_fields(self.instrument))
        self.helper = _helper()

    def clean_taken_on(self):
        day = self.cleaned_data["taken_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.", code="future")
        patient = self.patient
        if patient is None:
            return day
        if day < patient.date_of_birth:
            raise forms.ValidationError(
                "The date is before the patient was born; please check it.", code="before_birth"
            )
        registered = timezone.localtime(patient.created_at).date()
        if day < registered - datetime.timedelta(days=365):
            raise forms.ValidationError(
                "The date is more than a year before the patient registered with the clinic; "
                "please check it.",
                code="too_early",
            )
        return day

    def answers(self):
        return instrument_answers(self.instrument, self.cleaned_data)

    def taken_at(self):
        day = self.cleaned_data.get("taken_on")
        if day is None or day == timezone.localdate():
            return None
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=Clinic.load().zone)
