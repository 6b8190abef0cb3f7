"""What is held: products (a drug in one form and strength), suppliers, storage locations,
and containers (one vial or device with its lot and expiry, in one place)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clinic.models import Route
from controlled.validators import validate_dea_number, validate_ndc


class Drug(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine hydrochloride"
    ESKETAMINE = "esketamine", "Esketamine hydrochloride"


class ProductForm(models.TextChoices):
    INJECTION = "injection", "Injection, vial"
    NASAL_SPRAY = "nasal_spray", "Nasal spray, single-use device"


class Product(models.Model):
    """One drug in one form and strength, as the NDC on its package names it."""

    name = models.CharField(max_length=120, help_text="As staff say it, e.g. Ketamine 50 mg/mL.")
    drug = models.CharField(max_length=20, choices=Drug.choices)
    form = models.CharField(max_length=20, choices=ProductForm.choices)
    ndc = models.CharField("NDC", max_length=13, unique=True, validators=[validate_ndc])
    mg_per_ml = models.DecimalField(
        "strength (mg per mL)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    container_ml = models.DecimalField(
        "volume of one container (mL)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["drug", "mg_per_ml", "container_ml"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mg_per_ml__gt=0, container_ml__gt=0), name="product_sizes_positive"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def container_mg(self):
        return (self.mg_per_ml * self.container_ml).quantize(Decimal("0.001"))

    @property
    def strength(self):
        if self.form == ProductForm.NASAL_SPRAY:
            return f"{self.container_mg.normalize():f} mg per device"
        return f"{self.mg_per_ml.normalize():f} mg/mL, {self.container_ml.normalize():f} mL vial"

    def ml_for(self, mg):
        return (Decimal(mg) / self.mg_per_ml).quantize(Decimal("0.001"))

    def mg_for(self, ml):
        return (Decimal(ml) * self.mg_per_ml).quantize(Decimal("0.001"))

    @staticmethod
    def drug_for_route(route_code):
        """Esketamine is given by nasal spray; every other route gives ketamine."""
        return Drug.ESKETAMINE if route_code == Route.Code.INTRANASAL else Drug.KETAMINE


class StorageLocation(models.Model):
    """A locked cabinet or safe."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Supplier(models.Model):
    """A registrant the clinic receives from (a distributor or manufacturer)."""

    name = models.CharField(max_length=120)
    address = models.TextField()
    dea_number = models.CharField(
        "DEA number", max_length=9, unique=True, validators=[validate_dea_number]
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.dea_number})"

    def save(self, *args, **kwargs):
        self.dea_number = self.dea_number.upper()
        super().save(*args, **kwargs)


class ContainerQuerySet(models.QuerySet):
    def in_stock(self):
        """Containers with something left (kept by the ledger under the container's lock)."""
        return self.filter(emptied_at__isnull=True)

    def opened(self):
        return self.filter(opened_at__isnull=False)

    def with_balance(self):
        return self.annotate(
            balance_mg=models.functions.Coalesce(
                models.Sum("entries__mg"), Decimal(0), output_field=models.DecimalField()
            ),
            balance_ml=models.functions.Coalesce(
                models.Sum("entries__ml"), Decimal(0), output_field=models.DecimalField()
            ),
        )


class Container(models.Model):
    """One vial or device. What is in it is the sum of its ledger entries."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="containers")
    receipt = models.ForeignKey(
        "controlled.Receipt", on_delete=models.PROTECT, related_name="containers"
    )
    number = models.PositiveIntegerField(help_text="Its number within the delivery, from 1.")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="containers"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    # Set and cleared by the ledger, under the container's lock, when its balance reaches zero.
    emptied_at = models.DateTimeField(null=True, blank=True)

    objects = ContainerQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "number"], name="container_number_unique")
        ]
        indexes = [
            models.Index(
                fields=["location", "expires_on"],
                condition=Q(emptied_at__isnull=True),
                name="container_in_stock",
            )
        ]

    def __str__(self):
        return f"{self.product.name}, lot {self.lot_number}, #{self.label}"

    @property
    def label(self):
        return f"{self.receipt_id}-{self.number}"

    def expired_on(self, day):
        return self.expires_on < day
