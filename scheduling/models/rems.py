from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models import Patient


class RemsEnrollment(models.Model):
    """A patient's Spravato REMS enrollment: needed before the first esketamine session."""

    patient = models.OneToOneField(
        Patient, on_delete=models.PROTECT, related_name="rems_enrollment"
    )
    enrolled_on = models.DateField()
    patient_signed = models.BooleanField("patient signed the enrollment form")
    prescriber_signed = models.BooleanField("prescriber signed the enrollment form")
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "REMS enrollment"

    def __str__(self):
        return f"REMS enrollment of {self.patient}"

    @property
    def complete(self):
        return self.patient_signed and self.prescriber_signed
