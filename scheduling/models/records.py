"""The nurse's record of one session, from check-in to discharge, and its amendments."""

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import Clinic
from scheduling.models.appointments import Appointment

REMS_DAYS = 7


def _vital(low, high, label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(low), MaxValueValidator(high)]
    )


class SessionRecordQuerySet(models.QuerySet):
    def rems_due(self):
        return self.filter(
            appointment__route_id="intranasal",
            dose_started_at__isnull=False,
            rems_submitted_at__isnull=True,
        )


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
    rems_submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = SessionRecordQuerySet.as_manager()

    class Meta:
        permissions = [("decide_dosing_hold", "Can decide on dosing held for blood pressure")]

    def __str__(self):
        return f"Record of {self.appointment}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("scheduling:session_record", args=[self.appointment_id])

    # Rules
    @property
    def locked(self):
        return self.signed_at is not None

    def _ensure_open(self):
        if self.locked:
            raise ValidationError(
                "This record is signed and locked. Add an amendment instead.", code="locked"
            )

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
    def dosing_held(self):
        return self.bp_above_threshold and self.hold_decision != self.HoldDecision.PROCEED

    @property
    def monitoring_minutes(self):
        return self.appointment.monitoring_minutes

    @property
    def earliest_discharge(self):
        if self.dose_ended_at is None:
            return None
        return self.dose_ended_at + datetime.timedelta(minutes=self.monitoring_minutes)

    def record_pre_dose(self, *, at=None):
        self._ensure_open()
        self.vitals_at = at or timezone.now()
        self.save()

    def decide_hold(self, *, decision, by, note=""):
        self._ensure_open()
        if not self.bp_above_threshold:
            raise ValidationError("Dosing is not held.", code="not_held")
        self.hold_decision = decision
        self.hold_decided_by = by
        self.hold_decided_at = timezone.now()
        self.hold_note = note
        self.save()

    def record_dose(self, *, amount, unit, lot_number, started_at, ended_at):
        self._ensure_open()
        if not self.checklist_complete or self.vitals_at is None:
            raise ValidationError(
                "Complete the checklist and pre-dose vitals first.", code="not_ready"
            )
        if self.dosing_held:
            raise ValidationError(
                "Dosing is held: pre-dose BP is above the clinic's threshold and a provider "
                "has not decided to proceed.",
                code="held",
            )
        if ended_at < started_at:
            raise ValidationError("The dose cannot end before it starts.", code="order")
        self.dose_amount = amount
        self.dose_unit = unit
        self.lot_number = lot_number
        self.dose_started_at = started_at
        self.dose_ended_at = ended_at
        self.save()

    def discharge(
        self, *, at, criteria_met, released_to_escort, vitals_acceptable_at_end, ready_at=None
    ):
        self._ensure_open()
        if self.earliest_discharge is None:
            raise ValidationError("Record the dose before discharge.", code="no_dose")
        if at < self.earliest_discharge:
            remaining = math.ceil((self.earliest_discharge - at).total_seconds() / 60)
            raise ValidationError(
                "Too early to discharge: the route's minimum monitoring is %(minutes)s minutes; "
                "%(remaining)s minutes remain (from %(when)s).",
                code="too_early",
                params={
                    "minutes": self.monitoring_minutes,
                    "remaining": remaining,
                    "when": timezone.localtime(self.earliest_discharge).strftime("%-I:%M %p"),
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
        self._ensure_open()
        if self.discharged_at is None:
            raise ValidationError("Sign the record after discharge.", code="not_discharged")
        self.signed_by = by
        self.signed_at = timezone.now()
        self.save()
        appointment = self.appointment
        appointment.status = Appointment.Status.COMPLETED
        appointment.save(update_fields=["status"])

    # REMS Patient Monitoring Form
    @property
    def rems_due_on(self):
        if self.dose_started_at is None:
            return None
        return timezone.localtime(self.dose_started_at).date() + datetime.timedelta(days=REMS_DAYS)

    def rems_days_left(self, today=None):
        today = today or timezone.localdate()
        return (self.rems_due_on - today).days if self.rems_due_on else None

    def observation_nearest(self, minutes_after_dose):
        target = self.dose_started_at + datetime.timedelta(minutes=minutes_after_dose)
        with_bp = [o for o in self.observations.all() if o.systolic]
        return min(with_bp, key=lambda o: abs(o.at - target), default=None)

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
