"""Forms for the session record, one per step of the nurse's work."""

import datetime

from django import forms
from django.utils import timezone

from clinic.forms import PlainTextForm, UntaggedForm
from scheduling.forms import TimeInput
from scheduling.models import Amendment, Observation, SessionRecord


class StepForm(UntaggedForm, PlainTextForm, forms.Form):
    pass


class StepModelForm(UntaggedForm, PlainTextForm, forms.ModelForm):
    pass


def on_session_day(appointment, time):
    """A time the nurse typed, on the session's own day in the clinic's zone."""
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(appointment.starts_at.astimezone(zone).date(), time, zone)


def now_time():
    return timezone.localtime().time().replace(second=0, microsecond=0)


class PreDoseForm(StepModelForm):
    class Meta:
        model = SessionRecord
        fields = [
            "escort_confirmed",
            "fasting_kept",
            "no_health_changes",
            "concomitant_benzodiazepines",
            "concomitant_sedative_hypnotics",
            "concomitant_psychostimulants",
            "concomitant_maois",
            "systolic",
            "diastolic",
            "heart_rate",
            "spo2",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("systolic", "diastolic", "heart_rate", "spo2"):
            self.fields[name].required = True


class HoldDecisionForm(StepForm):
    decision = forms.ChoiceField(
        choices=SessionRecord.HoldDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=300, required=False)


class DoseForm(StepForm):
    amount = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    unit = forms.ChoiceField(choices=[("mg", "mg"), ("mg/kg", "mg/kg")])
    lot_number = forms.CharField(max_length=50)
    started = forms.TimeField(widget=TimeInput(), label="Started at")
    ended = forms.TimeField(widget=TimeInput(), label="Ended at")


class ObservationForm(StepModelForm):
    taken_at = forms.TimeField(
        widget=TimeInput(),
        required=False,
        label="Time taken",
        help_text="Now, or earlier for readings written on paper first.",
    )

    class Meta:
        model = Observation
        fields = [
            "taken_at",
            "systolic",
            "diastolic",
            "heart_rate",
            "spo2",
            "moaas",
            "dissociation",
            "nausea",
            "vomiting",
            "raised_bp",
            "anxiety",
            "intervention",
        ]
        labels = {"intervention": "Intervention given (e.g. anti-emetic)"}


class DischargeForm(StepForm):
    at = forms.TimeField(widget=TimeInput(), label="Discharge time")
    criteria_met = forms.BooleanField(
        required=False, label="Vitals acceptable, sedation and dissociation resolved"
    )
    vitals_acceptable_at_end = forms.BooleanField(
        required=False, label="Vitals acceptable at the end of monitoring"
    )
    released_to_escort = forms.BooleanField(required=False, label="Released to the escort")


class AmendmentForm(StepModelForm):
    class Meta:
        model = Amendment
        fields = ["text"]
        labels = {"text": "Correction or addition"}
