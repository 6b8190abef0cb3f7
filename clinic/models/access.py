"""The read log: who looked at which patient's record, when, and from where.

One row per page view or download of patient data (HIPAA §164.312(b), audit
controls). Rows are only ever added: on PostgreSQL a trigger refuses UPDATE and
DELETE on this table and on every change-history table (migration
clinic 0008), so neither the application nor anyone with its database login
can rewrite what was read or changed.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models.patients import Patient


class AccessKind(models.TextChoices):
    PATIENT_PAGE = "patient_page", "Patient page"
    PATIENT_HISTORY = "patient_history", "Patient's change history"
    PATIENT_SETTINGS = "patient_settings", "Patient in Clinic settings"
    APPOINTMENT = "appointment", "Appointment"
    SESSION_RECORD = "session_record", "Session record"
    INTAKE_SUMMARY = "intake_summary", "Intake summary"
    PATIENT_EXPORT = "patient_export", "Patient export (CSV)"
    CLINIC_REPORT = "clinic_report", "Clinic report"
    CLINIC_REPORT_CSV = "clinic_report_csv", "Clinic report (CSV)"
    CALENDAR_FEED = "calendar_feed", "Calendar feed"
    ACCESS_LOG = "access_log", "Access log"
    ACCESS_LOG_CSV = "access_log_csv", "Access log (CSV)"


class AccessLogEntryQuerySet(models.QuerySet):
    def between(self, first_day, last_day, zone):
        """Entries of the local days first_day to last_day, both included."""
        start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=zone)
        end = datetime.datetime.combine(
            last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
        )
        return self.filter(at__gte=start, at__lt=end)


class AccessLogEntry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a calendar feed, fetched by a calendar app with its secret address.",
    )
    kind = models.CharField(max_length=30, choices=AccessKind.choices)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What was opened, beyond the patient: "Session record 1234", "Intake 56", "Feed of …".
    subject = models.CharField(max_length=120, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            models.Index(fields=["patient", "-at"], name="access_log_patient_recent"),
            models.Index(fields=["at"], name="access_log_by_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AccessKind.values), name="access_log_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
