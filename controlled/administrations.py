"""Doses drawn for a session: the link between a session record and the ledger.

A session record's dose is signed only once what was given is drawn from a container:
the sum of its administrations equals the dose (in mg), and the record's lot number is
the containers' lot.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from controlled import ledger
from controlled.models import EntryKind, LedgerEntry, Product
from scheduling.models import Appointment

DRAWS = [EntryKind.ADMINISTRATION, EntryKind.CORRECTION]


def draws_for(record):
    """The administrations of a record, corrections included, oldest first."""
    return (
        LedgerEntry.objects.filter(session_record=record, kind__in=DRAWS)
        .select_related("container__product", "recorded_by", "corrects")
        .annotate(drawn_mg=-F("mg"), drawn_ml=-F("ml"))  # drawn is positive, a reversal not
        .order_by("at", "pk")
    )


@dataclass(frozen=True)
class Drawn:
    """What a record's draws come to, read once: the entries, their total and their lots."""

    entries: list

    @classmethod
    def of(cls, record):
        return cls(list(draws_for(record)))

    @classmethod
    def shown(cls, record):
        """`of(record)`, read once for the page that shows the record (its dose form and
        its panel both ask); what writes a draw reads it afresh with `of()`."""
        if not hasattr(record, "_drawn_shown"):
            record._drawn_shown = cls.of(record)
        return record._drawn_shown

    @property
    def mg(self):
        """The administrations' total, corrections taken off (mg, positive)."""
        return -ledger.milli(sum((entry.mg for entry in self.entries), Decimal(0)))

    @property
    def lots(self):
        """The lots of the containers drawn from, leaving out draws since reversed."""
        reversed_ids = {entry.corrects_id for entry in self.entries if entry.corrects_id}
        return sorted(
            {
                entry.container.lot_number
                for entry in self.entries
                if entry.kind == EntryKind.ADMINISTRATION and entry.pk not in reversed_ids
            }
        )


@transaction.atomic
def dose_draw(*, record, container, mg, by, at=None):
    """Draw `mg` from a container for this session's patient."""
    at = at or timezone.now()
    if record.pk is None:
        raise ValidationError("Start the session record first.", code="no_record")
    # The appointment first, then the container: the order signing takes, so a draw cannot
    # land on a record while it is being signed, nor on a session just cancelled.
    record.appointment = Appointment.objects.select_for_update().get(pk=record.appointment_id)
    record.refresh_from_db(fields=["signed_at"])
    record.ensure_recordable()
    locked = ledger.lock(container)
    route = record.appointment.route_id
    if locked.product.drug != Product.drug_for_route(route):
        raise ValidationError(
            "%(product)s is not the drug for this route (%(route)s).",
            code="wrong_drug",
            params={"product": locked.product, "route": record.appointment.route.name},
        )
    if locked.expired_on(timezone.localdate(at)):
        raise ValidationError(
            "%(container)s expired on %(day)s and cannot be drawn. Set it aside for return "
            "or destruction.",
            code="expired",
            params={"container": locked, "day": locked.expires_on.strftime("%b %-d, %Y")},
        )
    entry = ledger.take_out(
        locked,
        kind=EntryKind.ADMINISTRATION,
        mg=mg,
        by=by,
        at=at,
        patient=record.appointment.patient,
        session_record=record,
    )
    _keep_lot(record)
    return entry


@transaction.atomic
def draw_correct(*, entry, reason, by):
    """Reverse a draw while the record is open; its lot follows what is still drawn."""
    if entry.session_record.locked:
        raise ValidationError(
            "This session's record is signed, so its draw stands as signed. Add an amendment "
            "to the record; the next count shows any difference on the shelf, for a provider "
            "to resolve.",
            code="record_signed",
        )
    correction = ledger.entry_correct(entry=entry, reason=reason, by=by)
    _keep_lot(entry.session_record)
    return correction


def lot_text(lots):
    """The lots drawn, as the record's lot number holds them (50 characters at most)."""
    return ", ".join(lots)[:50]


def _keep_lot(record, drawn=None):
    record.lot_number = lot_text((drawn or Drawn.of(record)).lots)
    record.save(update_fields=["lot_number"])


def dose_defaults(record):
    """The dose form's lot and amount, as drawn from the containers (scheduling's dose
    hook): what was given, in mg."""
    if record.pk is None:
        return {}
    drawn = Drawn.shown(record)
    if not drawn.lots:
        return {}
    return {
        "lot_number": ", ".join(drawn.lots),
        "amount": ledger.amount_text(drawn.mg),
        "unit": "mg",
    }


def ensure_drawn_before_signing(*, record):
    """Refuse to sign a dosed record whose dose was not drawn from stock, or a record with
    draws and no dose (signing hook). A dose in mg must be what was drawn; one in mg/kg is
    checked for a draw only, as the app keeps no weight to multiply by."""
    draws = Drawn.of(record)
    drawn = draws.mg
    if record.dose_amount is None:
        if drawn > 0:
            raise ValidationError(
                "%(drawn)s mg was drawn from stock for this session but no dose is recorded. "
                "Record the dose, or waste or correct the draw, before signing.",
                code="drawn_not_dosed",
                params={"drawn": f"{drawn.normalize():f}"},
            )
        return
    if drawn <= 0:
        raise ValidationError(
            "Record which container the dose was drawn from (Controlled substances, on this "
            "page) before signing.",
            code="not_drawn",
        )
    if record.dose_unit == "mg" and drawn != record.dose_amount:
        raise ValidationError(
            "The dose is %(dose)s mg but %(drawn)s mg was drawn from stock. Correct the draw "
            "or draw the rest before signing.",
            code="draw_differs",
            params={
                "dose": f"{record.dose_amount.normalize():f}",
                "drawn": f"{drawn.normalize():f}",
            },
        )
    _keep_lot(record, draws)
