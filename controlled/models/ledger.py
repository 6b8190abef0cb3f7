"""The ledger: one entry per movement of a controlled substance, never edited or deleted.

A container's balance, a product's and a location's, is the sum of their entries. A
mistake is put right by a correction: an entry that reverses the one it names. On
PostgreSQL triggers refuse UPDATE and DELETE on every table here
(controlled/append_only.py); the check constraints below hold on every database.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from controlled.models.stock import Container, Product, StorageLocation, Supplier
from controlled.validators import validate_dea_number


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Received"
    ADMINISTRATION = "administration", "Given to a patient"
    WASTE = "waste", "Wasted, witnessed"
    TRANSFER_OUT = "transfer_out", "Moved out"
    TRANSFER_IN = "transfer_in", "Moved in"
    RETURN = "return", "Returned to a reverse distributor"
    DESTRUCTION = "destruction", "Destroyed"
    LOSS = "loss", "Lost or stolen"
    ADJUSTMENT = "adjustment", "Count adjustment"
    CORRECTION = "correction", "Correction"


# What takes out of a container, and what puts in; adjustments and corrections go either way.
TAKES_OUT = [
    EntryKind.ADMINISTRATION,
    EntryKind.WASTE,
    EntryKind.TRANSFER_OUT,
    EntryKind.RETURN,
    EntryKind.DESTRUCTION,
    EntryKind.LOSS,
]
PUTS_IN = [EntryKind.RECEIPT, EntryKind.TRANSFER_IN]
WITNESSED = [EntryKind.RECEIPT, EntryKind.WASTE, EntryKind.DESTRUCTION]


def _person(related_name="+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, **kwargs
    )


class Receipt(models.Model):
    """One delivery line: so many containers of one product and lot, from one supplier."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="receipts")
    invoice_number = models.CharField(max_length=40)
    received_on = models.DateField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="receipts")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    container_count = models.PositiveSmallIntegerField("number of containers")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="+")
    received_by = _person()
    checked_by = _person()
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(received_by=F("checked_by")), name="receipt_checked_by_another"
            ),
            models.CheckConstraint(
                condition=Q(container_count__gte=1), name="receipt_has_containers"
            ),
        ]
        indexes = [models.Index(fields=["received_on"], name="receipt_received_on")]

    def __str__(self):
        return f"{self.container_count} × {self.product}, lot {self.lot_number}, {self.received_on}"


class Disposal(models.Model):
    """Containers returned to a reverse distributor, or destroyed on site (DEA Form 41)."""

    class Kind(models.TextChoices):
        RETURN = "return", "Returned to a reverse distributor"
        DESTRUCTION = "destruction", "Destroyed on site (DEA Form 41)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    on = models.DateField("date")
    reverse_distributor = models.CharField(max_length=120, blank=True)
    reverse_distributor_address = models.TextField(blank=True)
    reverse_distributor_dea_number = models.CharField(
        "reverse distributor's DEA number",
        max_length=9,
        blank=True,
        validators=[validate_dea_number],
    )
    method = models.CharField(
        "method of destruction", max_length=120, blank=True, help_text="e.g. chemical digestion"
    )
    recorded_by = _person()
    witness = _person()
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(recorded_by=F("witness")), name="disposal_witnessed_by_another"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.on}"


class LossReport(models.Model):
    """Theft or significant loss: the facts a DEA Form 106 asks for.

    DEA must be told in writing within one business day of the discovery
    (21 CFR 1301.76(b)); until `reported_at` is set it stays on the worklist.
    """

    class Kind(models.TextChoices):
        THEFT = "theft", "Theft"
        LOSS = "loss", "Loss"
        IN_TRANSIT = "in_transit", "Lost in transit"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    discovered_at = models.DateTimeField()
    description = models.TextField(help_text="What happened, as far as it is known.")
    police_notified = models.BooleanField(default=False)
    police_report = models.CharField("police report number", max_length=60, blank=True)
    recorded_by = _person()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-discovered_at"]

    def __str__(self):
        return f"{self.get_kind_display()} discovered {self.discovered_at:%Y-%m-%d}"


class LossNotice(models.Model):
    """DEA was told of a loss (Form 106 filed): a row of its own, as the report only grows."""

    report = models.OneToOneField(LossReport, on_delete=models.PROTECT, related_name="notice")
    reported_at = models.DateTimeField()
    reference = models.CharField("DEA Form 106 reference", max_length=60)
    recorded_by = _person()

    def __str__(self):
        return f"DEA told on {self.reported_at:%Y-%m-%d} ({self.reference})"


class LedgerEntryQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(at__gte=start, at__lt=end)


class LedgerEntry(models.Model):
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="entries")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    # Signed: what came in is positive, what went out negative.
    mg = models.DecimalField(max_digits=10, decimal_places=3)
    ml = models.DecimalField(max_digits=10, decimal_places=3)
    at = models.DateTimeField(help_text="When it happened.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = _person()
    # Who checked a receipt, witnessed a waste or a destruction.
    witness = _person(null=True, blank=True)
    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session_record = models.ForeignKey(
        "scheduling.SessionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="controlled_entries",
    )
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    disposal = models.ForeignKey(
        Disposal, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    loss_report = models.ForeignKey(
        LossReport, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    count_line = models.OneToOneField(
        "controlled.CountLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment",
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    reason = models.CharField(max_length=300, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "ledger entries"
        permissions = [
            (
                "handle_controlled_substances",
                "Can receive, draw, waste, move and count controlled substances (custodian)",
            ),
            ("resolve_discrepancy", "Can resolve a difference found by a count"),
        ]
        indexes = [
            models.Index(fields=["kind", "at"], name="ledger_kind_at"),
            models.Index(fields=["container", "at"], name="ledger_container_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=TAKES_OUT) | Q(mg__lt=0, ml__lte=0),
                name="ledger_takes_out_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=PUTS_IN) | Q(mg__gt=0, ml__gte=0),
                name="ledger_puts_in_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.ADMINISTRATION)
                | Q(patient__isnull=False, session_record__isnull=False),
                name="ledger_administration_names_patient",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=WITNESSED)
                | (Q(witness__isnull=False) & ~Q(witness=F("recorded_by"))),
                name="ledger_witnessed_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.CORRECTION) | Q(corrects__isnull=False),
                name="ledger_correction_names_entry",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.LOSS) | Q(loss_report__isnull=False),
                name="ledger_loss_has_report",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.mg.normalize():f} mg, {self.container}"
