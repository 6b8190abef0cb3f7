"""Every movement of stock, each in one transaction that locks the containers it touches.

A container's balance is the sum of its entries. Whatever takes out of a container
locks its row first (SELECT ... FOR UPDATE), adds up its entries again and refuses an
amount above what remains, so two nurses drawing from one vial at the same instant are
served one after the other and the balance never goes below zero
(tests/concurrency/test_controlled_draws.py).

A container's mL always follow from its mg (its strength): what an entry takes in mL is
the difference between the balance's volume before and after, so rounding never drifts
and a count compares like with like.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from controlled.models import (
    Container,
    Disposal,
    EntryKind,
    LedgerEntry,
    LossReport,
    Receipt,
)

ZERO = Decimal(0)
MILLI = Decimal("0.001")


def milli(value):
    """A sum as the ledger keeps amounts, to the thousandth (SQLite adds decimals as floats)."""
    return Decimal(value).quantize(MILLI)


def amount_text(value):
    """An amount as people write it: 500, 9.3, never 5E+2 or 500.000."""
    return f"{Decimal(value).normalize():f}"


def balance(container):
    """(mg, mL) left in the container: the sum of its entries."""
    totals = LedgerEntry.objects.filter(container=container).aggregate(
        mg=Coalesce(Sum("mg"), ZERO), ml=Coalesce(Sum("ml"), ZERO)
    )
    return milli(totals["mg"]), milli(totals["ml"])


def lock(container):
    """The container's row, locked until the transaction ends, with its balance re-read.

    Only the container's row: draws from other vials of the product go on meanwhile."""
    locked = (
        Container.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=container.pk)
    )
    locked.balance_mg, locked.balance_ml = balance(locked)
    return locked


def settle(container, at, *, opened=False):
    """Keep the container's emptied mark in step with its balance (and mark it opened when
    a dose was drawn from it)."""
    mg, ml = balance(container)
    if mg < 0 or ml < 0:
        raise ValidationError(
            "This would leave less than nothing in %(container)s.",
            code="below_zero",
            params={"container": container},
        )
    fields = []
    if opened and container.opened_at is None:
        container.opened_at = at
        fields.append("opened_at")
    emptied_at = at if mg == 0 else None
    if (container.emptied_at is None) != (emptied_at is None):
        container.emptied_at = emptied_at
        fields.append("emptied_at")
    if fields:
        container.save(update_fields=fields)
    container.balance_mg, container.balance_ml = mg, ml


def _ensure_enough(container, mg):
    if mg <= 0:
        raise ValidationError("Enter an amount above zero.", code="not_positive")
    if mg > container.balance_mg:
        raise ValidationError(
            "Only %(left)s mg (%(left_ml)s mL) remain in %(container)s; %(asked)s mg is more "
            "than that.",
            code="more_than_remains",
            params={
                "left": amount_text(container.balance_mg),
                "left_ml": amount_text(container.balance_ml),
                "container": container,
                "asked": amount_text(mg),
            },
        )


def take_out(locked, *, kind, mg, by, at, **fields):
    """Re-check and write one entry that takes `mg` out of a container `lock()` returned."""
    _ensure_enough(locked, mg)
    ml = locked.balance_ml - locked.product.ml_for(locked.balance_mg - mg)
    entry = LedgerEntry.objects.create(
        container=locked,
        location=locked.location,
        kind=kind,
        mg=-mg,
        ml=-ml,
        at=at,
        recorded_by=by,
        **fields,
    )
    settle(locked, at, opened=kind == EntryKind.ADMINISTRATION)
    return entry


def _ensure_not_future(at):
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(
            "That time is later than now. Enter when it actually happened.", code="in_future"
        )


@transaction.atomic
def delivery_receive(
    *,
    supplier,
    invoice_number,
    received_on,
    product,
    lot_number,
    expires_on,
    container_count,
    location,
    received_by,
    checked_by,
    note="",
):
    """A delivery line checked in by two staff: its containers, each with a receipt entry."""
    if checked_by.pk == received_by.pk:
        raise ValidationError(
            "The delivery must be checked by a second member of staff.", code="same_person"
        )
    if received_on > timezone.localdate():
        raise ValidationError("The date received cannot be in the future.", code="in_future")
    receipt = Receipt.objects.create(
        supplier=supplier,
        invoice_number=invoice_number,
        received_on=received_on,
        product=product,
        lot_number=lot_number,
        expires_on=expires_on,
        container_count=container_count,
        location=location,
        received_by=received_by,
        checked_by=checked_by,
        note=note,
    )
    at = timezone.now()
    if received_on < timezone.localdate():
        zone = timezone.get_current_timezone()
        at = datetime.datetime.combine(received_on, datetime.time(12), zone)
    containers = Container.objects.bulk_create(
        Container(
            product=product,
            receipt=receipt,
            number=number,
            lot_number=lot_number,
            expires_on=expires_on,
            location=location,
        )
        for number in range(1, container_count + 1)
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            container=container,
            location=location,
            kind=EntryKind.RECEIPT,
            mg=product.container_mg,
            ml=product.container_ml,
            at=at,
            recorded_by=received_by,
            witness=checked_by,
            receipt=receipt,
        )
        for container in containers
    )
    return receipt


@transaction.atomic
def container_waste(*, container, mg, reason, by, witness, at=None):
    """What remains in an opened container, discarded before a witness."""
    at = at or timezone.now()
    _ensure_not_future(at)
    if witness.pk == by.pk:
        raise ValidationError(
            "The witness must be a different member of staff.", code="same_person"
        )
    locked = lock(container)
    if locked.opened_at is None:
        raise ValidationError(
            "%(container)s is still sealed. Waste is what remains in an opened container; "
            "return or destroy a sealed one instead.",
            code="sealed",
            params={"container": locked},
        )
    return take_out(
        locked, kind=EntryKind.WASTE, mg=mg, by=by, at=at, witness=witness, reason=reason
    )


@transaction.atomic
def container_move(*, container, to, by, at=None):
    """Move a container, with all that is left in it, to another storage location."""
    at = at or timezone.now()
    locked = lock(container)
    if locked.location_id == to.pk:
        raise ValidationError("The container is already there.", code="same_location")
    if locked.balance_mg <= 0:
        raise ValidationError("The container is empty.", code="empty")
    moved = {"mg": locked.balance_mg, "ml": locked.balance_ml, "at": at, "recorded_by": by}
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                container=locked,
                location=locked.location,
                kind=EntryKind.TRANSFER_OUT,
                **moved | {"mg": -moved["mg"], "ml": -moved["ml"]},
            ),
            LedgerEntry(container=locked, location=to, kind=EntryKind.TRANSFER_IN, **moved),
        ]
    )
    locked.location = to
    locked.save(update_fields=["location"])
    return locked


@transaction.atomic
def containers_dispose(*, containers, kind, on, by, witness, **details):
    """Return containers to a reverse distributor or destroy them: all that is left in each."""
    if not containers:
        raise ValidationError("Choose at least one container.", code="none")
    if witness.pk == by.pk:
        raise ValidationError(
            "The witness must be a different member of staff.", code="same_person"
        )
    if on > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="in_future")
    disposal = Disposal.objects.create(kind=kind, on=on, recorded_by=by, witness=witness, **details)
    entry_kind = EntryKind.RETURN if kind == Disposal.Kind.RETURN else EntryKind.DESTRUCTION
    at = timezone.now()
    for container in sorted(containers, key=lambda c: c.pk):  # one lock order: no deadlock
        locked = lock(container)
        if locked.balance_mg <= 0:
            raise ValidationError(
                "%(container)s is empty.", code="empty", params={"container": locked}
            )
        take_out(
            locked,
            kind=entry_kind,
            mg=locked.balance_mg,
            by=by,
            at=at,
            witness=witness,
            disposal=disposal,
        )
    return disposal


@transaction.atomic
def loss_report(*, kind, discovered_at, description, losses, by, **details):
    """Theft or loss: the report, and an entry for what went from each container."""
    _ensure_not_future(discovered_at)
    if not losses:
        raise ValidationError("Name at least one container and what is missing.", code="none")
    report = LossReport.objects.create(
        kind=kind, discovered_at=discovered_at, description=description, recorded_by=by, **details
    )
    for container, mg in sorted(losses, key=lambda item: item[0].pk):
        take_out(
            lock(container),
            kind=EntryKind.LOSS,
            mg=mg,
            by=by,
            at=discovered_at,
            loss_report=report,
        )
    return report


# Reversing what two people confirmed, or what a provider decided, is a provider's or a
# clinic admin's decision too.
NEEDS_RESOLVER = {
    EntryKind.RECEIPT: "a delivery checked by two people",
    EntryKind.WASTE: "a witnessed waste",
    EntryKind.RETURN: "a return",
    EntryKind.DESTRUCTION: "a witnessed destruction",
    EntryKind.LOSS: "a reported loss",
    EntryKind.ADJUSTMENT: "a count adjustment",
}


@transaction.atomic
def entry_correct(*, entry, reason, by):
    """Reverse an entry made in error; the right one is then entered anew. The reversal
    carries the entry's receipt, disposal or loss report, so what each adds up to nets it."""
    if not reason.strip():
        raise ValidationError("Say what was wrong with the entry.", code="no_reason")
    entry = LedgerEntry.objects.select_related("container").get(pk=entry.pk)
    if entry.kind in NEEDS_RESOLVER and not by.has_perm("controlled.resolve_discrepancy"):
        raise ValidationError(
            "Only a provider or a clinic admin can reverse %(what)s.",
            code="not_allowed",
            params={"what": NEEDS_RESOLVER[entry.kind]},
        )
    if entry.kind == EntryKind.CORRECTION:
        raise ValidationError(
            "A correction cannot itself be corrected; enter the right movement instead.",
            code="correction",
        )
    if entry.kind in (EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT):
        raise ValidationError("A move is put right by moving the container back.", code="transfer")
    locked = lock(entry.container)  # before the check: two reversals of one entry queue here
    if LedgerEntry.objects.filter(corrects=entry).exists():
        raise ValidationError("This entry has already been corrected.", code="corrected")
    if locked.balance_mg - entry.mg < 0:
        raise ValidationError(
            "Reversing this entry would leave less than nothing in the container: what was "
            "taken out since must be corrected first.",
            code="below_zero",
        )
    at = timezone.now()
    correction = LedgerEntry.objects.create(
        container=locked,
        location=locked.location,  # where what is left is now
        kind=EntryKind.CORRECTION,
        mg=-entry.mg,
        ml=-entry.ml,
        at=at,
        recorded_by=by,
        patient_id=entry.patient_id,
        session_record_id=entry.session_record_id,
        receipt_id=entry.receipt_id,
        disposal_id=entry.disposal_id,
        loss_report_id=entry.loss_report_id,
        corrects=entry,
        reason=reason,
    )
    settle(locked, at)
    return correction
