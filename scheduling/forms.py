import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.forms import PlainTextForm, QuickSelect, SharedModelChoiceField
from clinic.models import Clinic, Room, Route, Weekday
from clinic.roles import CLINICIAN_ROLES
from scheduling.models import (
    Appointment,
    DoseUnit,
    Protocol,
    RemsEnrollment,
    SchedulingPreference,
    TreatmentPlan,
)

# How far ahead people book: a year for a session, a move or a series' first day; the rows
# of a series may run on past that by the length of the series.
DAYS_AHEAD = 366
SERIES_DAYS_AHEAD = 2 * 366
START_GRID_MINUTES = 5
# Spravato and its REMS were approved in March 2019: no enrollment is older.
REMS_STARTED_ON = datetime.date(2019, 3, 5)


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


def clinicians():
    User = get_user_model()
    return User.objects.filter(
        is_active=True, groups__name__in=CLINICIAN_ROLES, working_hours__isnull=False
    ).distinct()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", attrs={"step": START_GRID_MINUTES * 60}, **kwargs)


def validate_booking_day(
    day, *, days_ahead=DAYS_AHEAD, past_message="Choose today or a later day."
):
    today = timezone.localdate()
    if day < today:
        raise forms.ValidationError(past_message, code="past")
    if day > today + datetime.timedelta(days=days_ahead):
        raise forms.ValidationError(
            "Choose a day within the next year."
            if days_ahead <= DAYS_AHEAD
            else "Choose a day within the next two years.",
            code="too_far",
        )
    return day


def validate_start_time(time):
    if time.minute % START_GRID_MINUTES or time.second or time.microsecond:
        raise forms.ValidationError(
            "Start times go in whole 5 minutes (for example 9:00 or 9:05).", code="off_grid"
        )
    return time


class PlanOrderForm(PlainTextForm, forms.ModelForm):
    """The provider's order: which protocol, what dose, from which day."""

    protocol = forms.ModelChoiceField(queryset=Protocol.objects.none())

    class Meta:
        model = TreatmentPlan
        fields = ["protocol", "dose", "dose_unit", "first_day"]
        widgets = {"first_day": DateInput()}
        labels = {"dose": "Dose per session", "dose_unit": "Unit"}

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["protocol"].queryset = Protocol.objects.filter(
            active=True, route__in=patient.cleared_routes.all()
        ).select_related("route")
        self.fields[
            "protocol"
        ].help_text = "Only protocols for routes this patient is cleared for are listed."
        self.fields["dose_unit"].choices = DoseUnit.choices
        self.fields["first_day"].initial = timezone.localdate() + datetime.timedelta(days=1)
        self.helper = _helper()

    def clean_first_day(self):
        return validate_booking_day(
            self.cleaned_data["first_day"], past_message="The series cannot start in the past."
        )


class SessionTimeForm(PlainTextForm, forms.Form):
    """One proposed session: staff may change any part before confirming."""

    day = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput(), label="Start time")
    room = SharedModelChoiceField(queryset=Room.objects.none(), label="Chair", widget=QuickSelect)
    clinician = SharedModelChoiceField(
        queryset=None, label="Monitoring clinician", widget=QuickSelect
    )

    def __init__(
        self,
        *args,
        route,
        rooms=None,
        staff=None,
        choices=None,
        known=None,
        days_ahead=DAYS_AHEAD,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.days_ahead = days_ahead
        self.fields["room"].queryset = (
            rooms if rooms is not None else Room.objects.filter(active=True, routes=route)
        )
        self.fields["clinician"].queryset = staff if staff is not None else clinicians()
        # A series shares one list of choices, so its page costs the same for 6 or 24 rows.
        for name, field_choices in (choices or {}).items():
            self.fields[name].choices = field_choices
        for name, records in (known or {}).items():
            self.fields[name].known = records
        for name, field in self.fields.items():
            css = "form-select" if name in ("room", "clinician") else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_day(self):
        return validate_booking_day(self.cleaned_data["day"], days_ahead=self.days_ahead)

    def clean_time(self):
        return validate_start_time(self.cleaned_data["time"])

    def starts_at(self):
        data = self.cleaned_data
        return datetime.datetime.combine(data["day"], data["time"], tzinfo=Clinic.load().zone)


class BaseSessionFormSet(forms.BaseFormSet):
    """Exactly one row per session of the protocol version, whatever the request claims."""

    def __init__(self, *args, route, session_count, **kwargs):
        self.route = route
        self.min_num = self.max_num = self.absolute_max = session_count
        self.validate_min = self.validate_max = True
        message = "This series has %(num)d sessions: give a day and time for each of them."
        kwargs["error_messages"] = {"too_few_forms": message, "too_many_forms": message}
        self.rooms = Room.objects.filter(active=True, routes=route)
        self.staff = clinicians()
        self.choices = self.known = None
        super().__init__(*args, **kwargs)

    def _shared_choices(self):
        if self.choices is None:
            self.known = {
                "room": {str(room.pk): room for room in self.rooms},
                "clinician": {str(user.pk): user for user in self.staff},
            }
            blank = [("", "---------")]
            self.choices = {
                name: blank + [(record.pk, str(record)) for record in records.values()]
                for name, records in self.known.items()
            }
        return self.choices

    def get_form_kwargs(self, index):
        return {
            "route": self.route,
            "rooms": self.rooms,
            "staff": self.staff,
            "choices": self._shared_choices(),
            "known": self.known,
            "days_ahead": SERIES_DAYS_AHEAD,
        }

    def add_non_form_error(self, message):
        """An error about the whole series that only booking it could find."""
        # Formsets have no public add_error(); non_form_errors() runs the validation first.
        self.non_form_errors()
        self._non_form_errors.append(message)


SessionFormSet = forms.formset_factory(SessionTimeForm, formset=BaseSessionFormSet, extra=0)


class SeriesConfirmForm(PlainTextForm, forms.Form):
    book_anyway = forms.BooleanField(
        required=False,
        label="Book anyway: a clinician has decided to deviate from the protocol's spacing",
    )


class AppointmentForm(SessionTimeForm):
    """A single booking, outside a series (a booster, a one-off)."""

    def __init__(self, *args, patient, route, **kwargs):
        self.patient = patient
        super().__init__(*args, route=route, **kwargs)
        self.helper = _helper()


class RescheduleForm(SessionTimeForm):
    """A new time for a booked appointment, starting from where it is now."""

    following = forms.BooleanField(
        required=False,
        label="Also move the later sessions of this series by the same amount",
    )

    def __init__(self, *args, appointment, **kwargs):
        local = timezone.localtime(appointment.starts_at)
        kwargs.setdefault(
            "initial",
            {
                "day": local.date(),
                "time": local.time(),
                "room": appointment.room_id,
                "clinician": appointment.clinician_id,
            },
        )
        super().__init__(*args, route=appointment.route, **kwargs)
        if appointment.room_id is None:
            del self.fields["room"]  # a phone or video check-in holds no chair
        self.helper = _helper()


class CancelForm(PlainTextForm, forms.Form):
    reason = forms.ChoiceField(choices=Appointment.CancelReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PlanCloseForm(PlainTextForm, forms.Form):
    reason = forms.ChoiceField(
        label="Why is the series ending early?",
        choices=[
            choice
            for choice in TreatmentPlan.CloseReason.choices
            if choice[0] != TreatmentPlan.CloseReason.SESSIONS_CANCELLED
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the series is ending."},
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note (needed for “Other”)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        if (
            data.get("reason") == TreatmentPlan.CloseReason.OTHER
            and not data.get("note", "").strip()
        ):
            self.add_error("note", "Write a short note saying why.")
        return data


class RemsEnrollmentForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = RemsEnrollment
        fields = ["enrolled_on", "patient_signed", "prescriber_signed", "prescriber"]
        widgets = {"enrolled_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient_signed"].required = True
        self.fields["prescriber_signed"].required = True
        self.fields["prescriber"].queryset = get_user_model().objects.filter(
            groups__name="Provider", is_active=True
        )
        self.helper = _helper()

    def clean_enrolled_on(self):
        day = self.cleaned_data["enrolled_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The enrollment date cannot be in the future.", "future")
        if day < REMS_STARTED_ON:
            raise forms.ValidationError(
                "The Spravato REMS began in March 2019: check the year.", code="too_old"
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if not self.instance.patient.cleared_routes.filter(code=Route.Code.INTRANASAL).exists():
            raise forms.ValidationError(
                "This patient is not cleared for intranasal esketamine, so there is nothing to "
                "enroll them in. A provider clears the route first.",
                code="not_cleared",
            )
        return cleaned


class PreferenceForm(PlainTextForm, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Preferred days",
        help_text="Leave all unticked for any day.",
    )

    class Meta:
        model = SchedulingPreference
        fields = ["weekdays", "earliest_start", "latest_start"]
        widgets = {"earliest_start": TimeInput(), "latest_start": TimeInput()}
        labels = {"earliest_start": "Earliest start", "latest_start": "Latest start"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        earliest, latest = cleaned.get("earliest_start"), cleaned.get("latest_start")
        if earliest and latest and earliest > latest:
            raise forms.ValidationError(
                "The earliest start must be before the latest start.", code="times_reversed"
            )
        return cleaned
