"""Scored questionnaires and urgent safety flags: shared by intake and follow-ups."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.instruments import INSTRUMENTS, InstrumentCode, score
from clinic.models.patients import Patient


class MeasureSource(models.TextChoices):
    INTAKE = "intake", "Online intake"
    STAFF = "staff", "Entered by staff"
    PATIENT_LINK = "patient_link", "Patient questionnaire link"


class OutcomeMeasureQuerySet(models.QuerySet):
    def of(self, instrument_code):
        return self.filter(instrument=instrument_code)

    def baseline(self, instrument_code):
        """The earliest result: the score before treatment that response is measured from."""
        return self.of(instrument_code).order_by("taken_at", "pk").first()


class OutcomeMeasure(models.Model):
    """One completed PHQ-9 or GAD-7, scored once when it is recorded."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measures")
    instrument = models.CharField(max_length=10, choices=InstrumentCode.choices)
    answers = models.JSONField(help_text="Item answers in order, each 0–3.")
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=30)
    taken_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=MeasureSource.choices)

    history = HistoricalRecords()

    objects = OutcomeMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["patient", "instrument", "taken_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__lte=27), name="outcome_measure_total_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} {self.total} ({self.band})"

    @classmethod
    def scored(cls, *, patient, instrument_code, answers, difficulty=None, source, taken_at=None):
        """An unsaved result with its total and band computed from the answers."""
        instrument = INSTRUMENTS[instrument_code]
        try:
            result = score(instrument, answers)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid_answers") from error
        return cls(
            patient=patient,
            instrument=instrument_code,
            answers=list(answers),
            difficulty=difficulty,
            total=result.total,
            band=result.band,
            taken_at=taken_at or timezone.now(),
            source=source,
        )

    @property
    def max_total(self):
        return INSTRUMENTS[self.instrument].max_total


class SafetyFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)


class SafetyFlag(models.Model):
    """An urgent concern, shown at the top of the staff home page until a provider acknowledges."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_flags")
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=20, choices=MeasureSource.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = SafetyFlagQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        permissions = [("acknowledge_safetyflag", "Can acknowledge an urgent safety flag")]
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "source"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_open_flag_per_patient_and_source",
                violation_error_message="This patient already has an open flag from this source.",
            ),
        ]

    def __str__(self):
        return f"{self.patient.full_name}: {self.reason}"

    @property
    def is_open(self):
        return self.acknowledged_at is None

    def acknowledge(self, *, by, note):
        if not self.is_open:
            raise ValidationError(
                "This flag was already acknowledged.", code="already_acknowledged"
            )
        if not (note or "").strip():
            raise ValidationError(
                "Write what was done, for example who called the patient.", code="note_required"
            )
        self.acknowledged_by = by
        self.acknowledged_at = timezone.now()
        self.acknowledgement_note = note.strip()
        self.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
