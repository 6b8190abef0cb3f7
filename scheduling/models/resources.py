import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clinic.models import Patient, Weekday


class ClinicianHours(models.Model):
    """When a clinician can monitor sessions on one weekday; no row means not working."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["clinician", "weekday"]
        verbose_name = "clinician working hours"
        verbose_name_plural = "clinician working hours"
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "weekday"], name="clinician_hours_one_row_per_weekday"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="clinician_hours_end_after_start",
                violation_error_message="The end must be after the start.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.clinician}: {self.get_weekday_display()} "
            f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        )


class TimeOffQuerySet(models.QuerySet):
    def overlapping(self, first_day, last_day):
        return self.filter(starts_on__lte=last_day, ends_on__gte=first_day)


class TimeOff(models.Model):
    """Whole days a clinician is away."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day away; the same as the first for one day.")
    reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    objects = TimeOffQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="time_off_ends_on_or_after_start",
                violation_error_message="The last day away cannot be before the first.",
            ),
        ]

    def __str__(self):
        return f"{self.clinician}: {self.starts_on}–{self.ends_on}"


class SchedulingPreference(models.Model):
    """When a patient would rather come in; the planner tries these first."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="scheduling_preference"
    )
    weekdays = models.JSONField(
        default=list, blank=True, help_text="Preferred weekdays, 0 = Monday; empty = any day."
    )
    earliest_start = models.TimeField(null=True, blank=True)
    latest_start = models.TimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Preferences of {self.patient}"


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A clinician's private iCalendar address; whoever has it sees initials and MRNs only."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.clinician}"

    def get_absolute_url(self):
        return reverse("scheduling:clinician_feed", args=[self.token])
