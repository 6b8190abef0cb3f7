"""Counts: two staff count what is on the shelf; each difference from the ledger is
explained, and stays open until a provider or clinic admin resolves it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from controlled.models.stock import Container, StorageLocation


class CountKind(models.TextChoices):
    DAILY = "daily", "Daily count of opened containers"
    MONTHLY = "monthly", "Monthly count of all containers"
    CUSTODIAN = "custodian", "Count at a change of custodian"
    BIENNIAL = "biennial", "Biennial inventory"


class Count(models.Model):
    kind = models.CharField(max_length=20, choices=CountKind.choices)
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="counts")
    counted_at = models.DateTimeField()
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    second_counter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-counted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(counted_by=F("second_counter")), name="count_by_two_people"
            )
        ]
        indexes = [models.Index(fields=["kind", "counted_at"], name="count_kind_at")]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.location}"


class CountLineQuerySet(models.QuerySet):
    def discrepancies(self):
        return self.exclude(counted_mg=F("expected_mg"))

    def unresolved(self):
        return self.discrepancies().filter(resolution__isnull=True)


class CountLine(models.Model):
    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="count_lines")
    # The ledger's balance when the count was saved, under the containers' locks.
    expected_mg = models.DecimalField(max_digits=10, decimal_places=3)
    expected_ml = models.DecimalField(max_digits=10, decimal_places=3)
    counted_ml = models.DecimalField(max_digits=10, decimal_places=3)
    counted_mg = models.DecimalField(max_digits=10, decimal_places=3)
    explanation = models.CharField(max_length=300, blank=True)

    objects = CountLineQuerySet.as_manager()

    class Meta:
        ordering = ["count", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["count", "container"], name="count_line_once"),
            models.CheckConstraint(condition=Q(counted_ml__gte=0), name="count_not_negative"),
            models.CheckConstraint(
                condition=Q(counted_mg=F("expected_mg")) | ~Q(explanation=""),
                name="count_difference_explained",
            ),
        ]
        indexes = [
            models.Index(
                fields=["count"],
                condition=~Q(counted_mg=F("expected_mg")),
                name="count_line_discrepancy",
            )
        ]

    def __str__(self):
        return f"{self.container}: counted {self.counted_ml.normalize():f} mL"

    @property
    def difference_mg(self):
        return self.counted_mg - self.expected_mg

    @property
    def difference_ml(self):
        return self.counted_ml - self.expected_ml


class Resolution(models.Model):
    """A provider's or clinic admin's decision on a difference; the adjustment entry (if the
    ledger is brought to the count) names the line."""

    line = models.OneToOneField(CountLine, on_delete=models.PROTECT, related_name="resolution")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300)
    adjusted = models.BooleanField(help_text="The ledger was brought to the counted amount.")

    def __str__(self):
        return f"Resolved by {self.resolved_by} on {self.resolved_at:%Y-%m-%d}"
