"""When each periodic job of the background worker last finished, for /healthz."""

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    class Job(models.TextChoices):
        REMINDER_SCAN = "reminder_scan", "Reminder scan"

    job = models.CharField(max_length=40, choices=Job.choices, primary_key=True)
    finished_at = models.DateTimeField()

    def __str__(self):
        return f"{self.get_job_display()} finished at {self.finished_at:%Y-%m-%d %H:%M:%S %Z}"

    @classmethod
    def beat(cls, job, *, at=None):
        """Record that `job` has just finished (one row per job, overwritten)."""
        cls.objects.update_or_create(job=job, defaults={"finished_at": at or timezone.now()})
