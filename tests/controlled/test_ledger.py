"""The ledger's rules: every movement is an entry, balances are sums, nothing goes below
zero, and nothing is edited or deleted."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from controlled import administrations, ledger
from controlled.models import Container, EntryKind, LedgerEntry, Receipt
from tests.controlled.factories import esketamine_device, receive, safe
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_b(db):
    return UserFactory(role="Nurse")


def test_a_delivery_becomes_one_container_per_vial_each_with_its_receipt_entry():
    containers = receive(count=3, lot="KX77")
    assert [c.number for c in containers] == [1, 2, 3]
    for container in containers:
        assert ledger.balance(container) == (Decimal(500), Decimal(10))
        assert container.lot_number == "KX77"
    assert LedgerEntry.objects.filter(kind=EntryKind.RECEIPT).count() == 3


def test_a_delivery_checked_by_the_person_who_received_it_is_refused(nurse):
    with pytest.raises(ValidationError, match="second member of staff"):
        receive(by=nurse, checked_by=nurse)
    assert not Receipt.objects.exists()


def test_a_draw_takes_from_the_vial_and_puts_its_lot_on_the_record(vial, record, nurse):
    entry = administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    assert (entry.mg, entry.ml) == (Decimal(-35), Decimal("-0.7"))
    assert entry.patient == record.appointment.patient
    assert ledger.balance(vial) == (Decimal(465), Decimal("9.3"))
    record.refresh_from_db()
    assert record.lot_number == vial.lot_number
    vial.refresh_from_db()
    assert vial.opened_at is not None


def test_more_than_remains_is_refused_with_what_remains(vial, record, nurse):
    administrations.dose_draw(record=record, container=vial, mg=Decimal(480), by=nurse)
    with pytest.raises(ValidationError, match=r"Only 20 mg \(0.4 mL\) remain"):
        administrations.dose_draw(record=record, container=vial, mg=Decimal(21), by=nurse)
    assert ledger.balance(vial)[0] == Decimal(20)


def test_an_expired_container_cannot_be_drawn(record, nurse):
    old = receive(expires_on=timezone.localdate() - datetime.timedelta(days=1))[0]
    with pytest.raises(ValidationError, match="expired on"):
        administrations.dose_draw(record=record, container=old, mg=Decimal(10), by=nurse)
    assert ledger.balance(old)[0] == Decimal(500)


def test_esketamine_is_not_drawn_for_an_infusion(record, nurse):
    device = receive(product=esketamine_device())[0]
    with pytest.raises(ValidationError, match="not the drug for this route"):
        administrations.dose_draw(record=record, container=device, mg=Decimal(28), by=nurse)


def test_waste_needs_a_different_witness_and_an_opened_container(vial, record, nurse, nurse_b):
    with pytest.raises(ValidationError, match="still sealed"):
        ledger.container_waste(
            container=vial, mg=Decimal(10), reason="x", by=nurse, witness=nurse_b
        )
    administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    with pytest.raises(ValidationError, match="different member of staff"):
        ledger.container_waste(
            container=vial, mg=Decimal(465), reason="rest", by=nurse, witness=nurse
        )
    entry = ledger.container_waste(
        container=vial, mg=Decimal(465), reason="Single-dose vial", by=nurse, witness=nurse_b
    )
    assert entry.witness == nurse_b
    vial.refresh_from_db()
    assert vial.emptied_at is not None
    assert not Container.objects.in_stock().filter(pk=vial.pk).exists()


def test_a_correction_reverses_the_entry_it_names_once(vial, record, nurse):
    entry = administrations.dose_draw(record=record, container=vial, mg=Decimal(50), by=nurse)
    correction = administrations.draw_correct(entry=entry, reason="Wrong vial", by=nurse)
    assert correction.mg == Decimal(50)
    assert correction.corrects == entry
    assert ledger.balance(vial)[0] == Decimal(500)
    record.refresh_from_db()
    assert record.lot_number == ""
    with pytest.raises(ValidationError, match="already been corrected"):
        ledger.entry_correct(entry=entry, reason="again", by=nurse)
    with pytest.raises(ValidationError, match="cannot itself be corrected"):
        ledger.entry_correct(entry=correction, reason="again", by=nurse)


def test_a_move_takes_everything_left_from_one_place_to_the_other(vial, record, nurse):
    administrations.dose_draw(record=record, container=vial, mg=Decimal(100), by=nurse)
    cabinet = safe("Back office cabinet")
    ledger.container_move(container=vial, to=cabinet, by=nurse)
    vial.refresh_from_db()
    assert vial.location == cabinet
    by_place = {
        entry["location__name"]: entry["total"]
        for entry in LedgerEntry.objects.values("location__name").annotate(
            total=__import__("django.db.models", fromlist=["Sum"]).Sum("mg")
        )
    }
    assert by_place == {"Treatment room safe": Decimal(0), "Back office cabinet": Decimal(400)}


def test_the_database_keeps_takings_negative_and_witnesses_distinct(vial, nurse):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            container=vial,
            location=vial.location,
            kind=EntryKind.WASTE,
            mg=Decimal(5),
            ml=Decimal("0.1"),
            at=timezone.now(),
            recorded_by=nurse,
            witness=UserFactory(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            container=vial,
            location=vial.location,
            kind=EntryKind.WASTE,
            mg=Decimal(-5),
            ml=Decimal("-0.1"),
            at=timezone.now(),
            recorded_by=nurse,
            witness=nurse,
        )


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE controlled_ledgerentry SET mg = mg - 100",
        "DELETE FROM controlled_ledgerentry",
        "UPDATE controlled_receipt SET invoice_number = 'changed'",
        "DELETE FROM controlled_receipt",
    ],
)
def test_the_database_refuses_to_rewrite_the_ledger(vial, statement):
    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert ledger.balance(vial)[0] == Decimal(500)


@pytest.mark.postgres_only
def test_the_orm_cannot_edit_or_delete_an_entry_either(vial):
    entry = LedgerEntry.objects.get(container=vial)
    entry.mg = Decimal(1000)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        entry.save()
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        entry.delete()
    assert ledger.balance(vial)[0] == Decimal(500)


def test_mls_follow_the_mg_so_rounding_never_drifts_nor_goes_below_zero(record, nurse, nurse_b):
    from tests.controlled.factories import ketamine_50

    strong = ketamine_50(
        ndc="0409-2053-10",
        name="Ketamine 100 mg/mL",
        mg_per_ml=Decimal(100),
        container_ml=Decimal(5),
    )
    vial = receive(product=strong)[0]
    for mg in ("249.95", "249.95"):
        administrations.dose_draw(record=record, container=vial, mg=Decimal(mg), by=nurse)
    assert ledger.balance(vial) == (Decimal("0.1"), Decimal("0.001"))
    ledger.container_waste(
        container=vial, mg=Decimal("0.1"), reason="rest", by=nurse, witness=nurse_b
    )
    assert ledger.balance(vial) == (0, 0)


def test_moving_a_sealed_vial_leaves_it_sealed_and_a_reversal_is_where_the_vial_is(nurse, provider):
    vial = receive()[0]
    cabinet = safe("Back office cabinet")
    ledger.container_move(container=vial, to=cabinet, by=nurse)
    vial.refresh_from_db()
    assert vial.opened_at is None
    assert ledger.balance(vial)[0] == Decimal(500)

    receipt = LedgerEntry.objects.get(container=vial, kind=EntryKind.RECEIPT)
    with pytest.raises(ValidationError, match="Only a provider or a clinic admin"):
        ledger.entry_correct(entry=receipt, reason="Not ours", by=nurse)
    reversal = ledger.entry_correct(entry=receipt, reason="Not ours", by=provider)
    assert reversal.location == cabinet
    assert reversal.receipt_id == receipt.receipt_id


def test_a_draw_on_a_cancelled_session_is_refused(vial, record, nurse):
    from scheduling.models import Appointment

    Appointment.objects.filter(pk=record.appointment_id).update(status="cancelled")
    with pytest.raises(ValidationError, match="cancelled"):
        administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    assert ledger.balance(vial)[0] == Decimal(500)


def test_a_signed_records_draw_is_not_reversed(vial, record, nurse):
    entry = administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    type(record).objects.filter(pk=record.pk).update(signed_at=timezone.now(), signed_by=nurse)
    entry.session_record.refresh_from_db()
    with pytest.raises(ValidationError, match="signed"):
        administrations.draw_correct(entry=entry, reason="Wrong vial", by=nurse)


def test_a_record_with_a_draw_and_no_dose_is_not_signed(vial, record, nurse):
    administrations.dose_draw(record=record, container=vial, mg=Decimal(40), by=nurse)
    record.refresh_from_db()
    with pytest.raises(ValidationError, match="no dose is recorded"):
        administrations.ensure_drawn_before_signing(record=record)


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE controlled_container SET lot_number = 'OTHER'",
        "UPDATE controlled_container SET expires_on = expires_on + 365",
        "DELETE FROM controlled_container",
    ],
)
def test_a_containers_lot_and_expiry_cannot_be_rewritten(vial, statement):
    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    vial.refresh_from_db()
    assert vial.lot_number == "KX1234"


def test_where_a_container_is_and_its_marks_still_change(vial, nurse):
    ledger.container_move(container=vial, to=safe("Back office cabinet"), by=nurse)
    vial.refresh_from_db()
    assert vial.location.name == "Back office cabinet"
