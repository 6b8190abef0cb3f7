"""Rate-limit counters kept in the database, counted atomically (clinic.ratelimit)."""

from django.db import models


class RateCounter(models.Model):
    """Requests of one client for one purpose in the current window."""

    key = models.CharField(max_length=200, primary_key=True)
    window_ends_at = models.DateTimeField()
    count = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.key}: {self.count} until {self.window_ends_at:%H:%M:%S}"
