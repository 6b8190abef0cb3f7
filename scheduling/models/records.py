"""The nurse's record of one session, from check-in to discharge, and its amendments."""

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import Clinic, Route
from scheduling.models.appointments import Appointment

REMS_DAYS = 7
# Typed times are whole minutes and wall clocks drift: allow this much past the server's now.
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)

NOT_RECORDABLE = {
    Appointment.Status.BOOKED: "The patient has not been checked in. Check the patient in "
    "before recording this session.",
    Appointment.Status.CANCELLED: "This session was cancelled. A cancelled session cannot be "
    "recorded.",
    Appointment.Status.NO_SHOW: "The patient did not attend this session (no-show). It cannot "
    "be recorded.",
    Appointment.Status.COMPLETED: "This session is already completed.",
}


def _clock(when):
    return timezone.localtime(when).strftime("%-I:%M %p")


def _ensure_not_future(when, what):
    if when > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError(
            "The %(what)s (%(when)s) is later than now. Enter the time it actually happened.",
            code="in_future",
            params={"what": what, "when": _clock(when)},
        )


def _vital(low, high, label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(low), MaxValueValidator(high)]
    )


class SessionRecordQuerySet(models.QuerySet):
    def rems_due(self):
        return self.filter(rems_open=True)


class SessionRecord(models.Model):
    class HoldDecision(models.TextChoices):
        PROCEED = "proceed", "Proceed with dosing"
        DO_NOT_DOSE = "do_not_dose", "Do not dose today"

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="record")
    # Pre-dose checklist
    escort_confirmed = models.BooleanField(
        "an adult escort will take the patient home", default=False
    )
    fasting_kept = models.BooleanField("fasting rules kept", default=False)
    no_health_changes = models.BooleanField(
        "no change in medications or health since the last visit", default=False
    )
    concomitant_benzodiazepines = models.BooleanField("takes benzodiazepines", default=False)
    concomitant_sedative_hypnotics = models.BooleanField("takes sedative hypnotics", default=False)
    concomitant_psychostimulants = models.BooleanField("takes psychostimulants", default=False)
    concomitant_maois = models.BooleanField("takes MAOIs", default=False)
    # Pre-dose vitals
    systolic = _vital(50, 260, "systolic BP")
    diastolic = _vital(30, 160, "diastolic BP")
    heart_rate = _vital(20, 250, "heart rate")
    spo2 = _vital(50, 100, "SpO2 %")
    vitals_at = models.DateTimeField(null=True, blank=True)
    # Raised by the first pre-dose reading above the clinic's threshold; re-entering lower
    # values does not lift it, only a provider's decision does.
    hold_raised_at = models.DateTimeField(null=True, blank=True)
    hold_systolic = _vital(50, 260, "systolic BP that raised the hold")
    hold_diastolic = _vital(30, 160, "diastolic BP that raised the hold")
    # A provider's decision when pre-dose BP is above the clinic's threshold
    hold_decision = models.CharField(max_length=20, choices=HoldDecision.choices, blank=True)
    hold_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hold_decided_at = models.DateTimeField(null=True, blank=True)
    hold_note = models.CharField(max_length=300, blank=True)
    # Dose
    dose_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    dose_unit = models.CharField(max_length=10, blank=True)
    lot_number = models.CharField(max_length=50, blank=True)
    dose_started_at = models.DateTimeField(null=True, blank=True)
    dose_ended_at = models.DateTimeField(null=True, blank=True)
    # Discharge
    ready_to_leave_at = models.DateTimeField(
        "patient would have been ready to leave at", null=True, blank=True
    )
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_criteria_met = models.BooleanField(
        "vitals acceptable, sedation and dissociation resolved", default=False
    )
    vitals_acceptable_at_end = models.BooleanField(default=False)
    released_to_escort = models.BooleanField(default=False)
    # Signature and REMS
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    rems_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="Esketamine only: the day the REMS monitoring form is due (set with the dose).",
    )
    rems_submitted_at = models.DateTimeField(null=True, blank=True)
    # "Due and not yet submitted", kept by the database. As one column, PostgreSQL counts it
    # right (a few hundred of a clinic's records); asked as two conditions on columns that
    # are both empty for every non-esketamine session, it guesses tens of thousands and
    # reads every appointment to count a provider's forms.
    rems_open = models.GeneratedField(
        expression=ExpressionWrapper(
            Q(rems_due_on__isnull=False, rems_submitted_at__isnull=True),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["rems_open"])

    objects = SessionRecordQuerySet.as_manager()

    class Meta:
        permissions = [("decide_dosing_hold", "Can decide on dosing held for blood pressure")]
        indexes = [
            # Small: only the forms not yet submitted (the REMS list and the worklist).
            models.Index(
                fields=["rems_due_on"], condition=Q(rems_open=True), name="session_record_rems_due"
            ),
            # Only the holds waiting for a provider (the provider's home page).
            models.Index(
                fields=["hold_raised_at"],
                condition=Q(hold_raised_at__isnull=False, hold_decision="", signed_at__isnull=True),
                name="session_record_hold_waiting",
            ),
        ]

    def __str__(self):
        return f"Record of {self.appointment}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("scheduling:session_record", args=[self.appointment_id])

    # Rules
    @property
    def locked(self):
        return self.signed_at is not None

    def ensure_open(self):
        if self.locked:
            raise ValidationError(
                "This record is signed and locked. Add an amendment instead.", code="locked"
            )

    @property
    def not_recordable_reason(self):
        """Why the steps of an open record cannot be recorded now, in plain words."""
        if self.locked:
            return None
        return NOT_RECORDABLE.get(self.appointment.status)

    @property
    def can_record(self):
        return not self.locked and self.not_recordable_reason is None

    def ensure_recordable(self):
        self.ensure_open()
        reason = self.not_recordable_reason
        if reason:
            raise ValidationError(reason, code=f"appointment_{self.appointment.status}")

    @property
    def checklist_complete(self):
        return self.escort_confirmed and self.fasting_kept and self.no_health_changes

    @property
    def bp_above_threshold(self):
        if self.systolic is None or self.diastolic is None:
            return False
        clinic = Clinic.load()
        return (
            self.systolic > clinic.dosing_hold_systolic
            or self.diastolic > clinic.dosing_hold_diastolic
        )

    @property
    def hold_raised(self):
        return self.hold_raised_at is not None

    @property
    def dosing_held(self):
        return self.hold_raised and self.hold_decision != self.HoldDecision.PROCEED

    @property
    def monitoring_minutes(self):
        return self.appointment.monitoring_minutes

    @property
    def earliest_discharge(self):
        if self.dose_ended_at is None:
            return None
        return self.dose_ended_at + datetime.timedelta(minutes=self.monitoring_minutes)

    def record_pre_dose(self, *, at=None):
        self.ensure_recordable()
        self.vitals_at = at or timezone.now()
        if self.bp_above_threshold and not self.hold_raised:
            self.hold_raised_at = self.vitals_at
            self.hold_systolic, self.hold_diastolic = self.systolic, self.diastolic
        self.save()

    def decide_hold(self, *, decision, by, note=""):
        self.ensure_recordable()
        if not self.hold_raised:
            raise ValidationError("Dosing is not held.", code="not_held")
        self.hold_decision = decision
        self.hold_decided_by = by
        self.hold_decided_at = timezone.now()
        self.hold_note = note
        self.save()

    def _ensure_ready_to_dose(self, started_at):
        self.ensure_recordable()
        if not self.checklist_complete or self.vitals_at is None:
            raise ValidationError(
                "Complete the checklist and pre-dose vitals first.", code="not_ready"
            )
        if self.dosing_held:
            raise ValidationError(
                "Dosing is held: pre-dose BP %(systolic)s/%(diastolic)s was above the clinic's "
                "threshold and a provider has not decided to proceed.",
                code="held",
                params={"systolic": self.hold_systolic, "diastolic": self.hold_diastolic},
            )
        _ensure_not_future(started_at, "dose start time")
        checked_in_at = self.appointment.checked_in_at
        if checked_in_at and started_at < checked_in_at.replace(second=0, microsecond=0):
            raise ValidationError(
                "The dose cannot start before the patient was checked in (at %(when)s).",
                code="before_check_in",
                params={"when": _clock(checked_in_at)},
            )

    @property
    def dosing(self):
        """Started and not yet recorded as given (an infusion running, say)."""
        return self.dose_started_at is not None and self.dose_ended_at is None

    def start_dose(self, *, at=None):
        """The dose starts now (or at `at`); amount, lot and end follow with record_dose."""
        at = at or timezone.now()
        if self.dose_started_at is not None:
            raise ValidationError(
                "The dose is already started (at %(when)s).",
                code="already_started",
                params={"when": _clock(self.dose_started_at)},
            )
        self._ensure_ready_to_dose(at)
        self.dose_started_at = at
        self.save()

    def record_dose(self, *, amount, unit, lot_number, started_at, ended_at):
        self._ensure_ready_to_dose(started_at)
        if ended_at < started_at:
            raise ValidationError("The dose cannot end before it starts.", code="order")
        _ensure_not_future(ended_at, "dose end time")
        self.dose_amount = amount
        self.dose_unit = unit
        self.lot_number = lot_number
        self.dose_started_at = started_at
        self.dose_ended_at = ended_at
        if self.appointment.route_id == Route.Code.INTRANASAL:
            self.rems_due_on = timezone.localtime(started_at).date() + datetime.timedelta(
                days=REMS_DAYS
            )
        self.save()

    def add_observation(self, observation, *, by, at=None):
        self.ensure_recordable()
        if self.dose_started_at is None:
            raise ValidationError("Record the dose before monitoring.", code="no_dose")
        observation.at = at or timezone.now()
        _ensure_not_future(observation.at, "observation time")
        checked_in_at = self.appointment.checked_in_at
        if checked_in_at and observation.at < checked_in_at.replace(second=0, microsecond=0):
            raise ValidationError(
                "The observation time (%(when)s) is before the patient was checked in (at "
                "%(checked_in)s). Enter the time the readings were taken.",
                code="before_check_in",
                params={"when": _clock(observation.at), "checked_in": _clock(checked_in_at)},
            )
        observation.record = self
        observation.recorded_by = by
        observation.save()
        return observation

    def vitals_due_at(self, *, last_observation_at=None):
        """When the next set of observations is due: None before the dose and after discharge.

        Counted from the last set (or the dose's start), at the route's interval during
        dosing while the next set falls before the dose ends, and at its interval after
        dosing from then on (docs/CLINICAL.md, "Vitals on time").
        """
        if self.dose_started_at is None or self.discharged_at is not None or self.locked:
            return None
        route = self.appointment.route
        last = max(self.dose_started_at, last_observation_at or self.dose_started_at)
        during = last + datetime.timedelta(minutes=route.vitals_every_during)
        if self.dose_ended_at is None or during <= self.dose_ended_at:
            return during
        return last + datetime.timedelta(minutes=route.vitals_every_after)

    def discharge(
        self, *, at, criteria_met, released_to_escort, vitals_acceptable_at_end, ready_at=None
    ):
        self.ensure_recordable()
        if self.earliest_discharge is None:
            raise ValidationError("Record the dose before discharge.", code="no_dose")
        _ensure_not_future(at, "discharge time")
        if at < self.earliest_discharge:
            remaining = math.ceil((self.earliest_discharge - at).total_seconds() / 60)
            raise ValidationError(
                "Too early to discharge: the route's minimum monitoring is %(minutes)s minutes; "
                "%(remaining)s minutes remain (from %(when)s).",
                code="too_early",
                params={
                    "minutes": self.monitoring_minutes,
                    "remaining": remaining,
                    "when": _clock(self.earliest_discharge),
                },
            )
        if not (criteria_met and released_to_escort):
            raise ValidationError(
                "Discharge needs the criteria met and the patient released to the escort.",
                code="criteria",
            )
        self.discharged_at = at
        self.ready_to_leave_at = ready_at or at
        self.discharge_criteria_met = criteria_met
        self.released_to_escort = released_to_escort
        self.vitals_acceptable_at_end = vitals_acceptable_at_end
        self.save()

    def sign(self, *, by):
        with transaction.atomic():
            # Lock the appointment so a cancellation cannot slip in between check and update.
            self.appointment = Appointment.objects.select_for_update().get(pk=self.appointment_id)
            if self.pk:
                self.refresh_from_db(fields=["signed_at", "signed_by"])
            self.ensure_recordable()
            if self.discharged_at is None:
                raise ValidationError("Sign the record after discharge.", code="not_discharged")
            self.signed_by = by
            self.signed_at = timezone.now()
            self.save()
            self.appointment.complete()

    def amend(self, *, text, by):
        if not self.locked:
            raise ValidationError("Edit the record directly until it is signed.", code="not_signed")
        return self.amendments.create(text=text, author=by)

    # REMS Patient Monitoring Form
    def rems_days_left(self, today=None):
        today = today or timezone.localdate()
        return (self.rems_due_on - today).days if self.rems_due_on else None

    def observation_nearest(self, minutes_after_dose):
        target = self.dose_started_at + datetime.timedelta(minutes=minutes_after_dose)
        with_bp = [o for o in self.observations.all() if o.systolic]
        return min(with_bp, key=lambda o: abs(o.at - target), default=None)

    def mark_rems_submitted(self):
        if self.appointment.route_id != Route.Code.INTRANASAL:
            raise ValidationError(
                "Only esketamine (intranasal) sessions have a REMS monitoring form.",
                code="not_rems",
            )
        if not self.locked:
            raise ValidationError(
                "Sign the session record before marking its REMS form submitted.",
                code="not_signed",
            )
        self.rems_submitted_at = timezone.now()
        self.save(update_fields=["rems_submitted_at"])

    @property
    def rems_total_minutes(self):
        if not (self.dose_started_at and self.discharged_at):
            return None
        return int((self.discharged_at - self.dose_started_at).total_seconds() // 60)


class Observation(models.Model):
    """Monitoring at an interval: vitals, sedation, dissociation, adverse events."""

    class Moaas(models.IntegerChoices):
        FIVE = 5, "5 – responds readily to name spoken normally"
        FOUR = 4, "4 – lethargic response to name"
        THREE = 3, "3 – responds only after name is called loudly or repeatedly"
        TWO = 2, "2 – responds only after mild prodding or shaking"
        ONE = 1, "1 – responds only after painful trapezius squeeze"
        ZERO = 0, "0 – no response after painful trapezius squeeze"

    record = models.ForeignKey(SessionRecord, on_delete=models.PROTECT, related_name="observations")
    at = models.DateTimeField()
    systolic = _vital(50, 260, "systolic BP")
    diastolic = _vital(30, 160, "diastolic BP")
    heart_rate = _vital(20, 250, "heart rate")
    spo2 = _vital(50, 100, "SpO2 %")
    moaas = models.PositiveSmallIntegerField("MOAA/S", choices=Moaas.choices, null=True, blank=True)
    dissociation = models.BooleanField("dissociation observed", default=False)
    nausea = models.BooleanField(default=False)
    vomiting = models.BooleanField(default=False)
    raised_bp = models.BooleanField("raised BP", default=False)
    anxiety = models.BooleanField(default=False)
    intervention = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"Observation at {timezone.localtime(self.at):%H:%M}"

    @property
    def sedated(self):
        return self.moaas is not None and self.moaas < 5


class Amendment(models.Model):
    """A correction to a signed record; the record itself never changes."""

    record = models.ForeignKey(SessionRecord, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Amendment by {self.author}"
