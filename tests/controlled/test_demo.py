import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from controlled.models import (
    Container,
    Count,
    CountLine,
    EntryKind,
    LedgerEntry,
    Product,
    Receipt,
    Resolution,
    Supplier,
)
from scheduling.models import SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_every_demo_product_and_the_supplier_pass_their_checks(seeded):
    assert Product.objects.count() == 3
    for product in Product.objects.all():
        product.full_clean()
    Supplier.objects.get().full_clean()


def test_every_demo_product_has_sealed_stock(seeded):
    for product in Product.objects.all():
        assert product.containers.in_stock().filter(opened_at__isnull=True).exists(), product


def test_one_container_expires_within_the_month(seeded):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    assert Container.objects.in_stock().filter(expires_on__lte=soon).count() == 1


def test_each_dosed_demo_session_was_drawn_from_its_drug(seeded):
    records = SessionRecord.objects.filter(dose_amount__isnull=False)
    assert records.count() >= 2
    for record in records:
        entries = LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION, session_record=record)
        assert -sum(entry.mg for entry in entries) == record.dose_amount
        for entry in entries:
            assert entry.patient == record.appointment.patient
            assert entry.at == record.dose_started_at
            assert entry.container.lot_number in record.lot_number
            assert entry.container.product.drug == Product.drug_for_route(
                record.appointment.route_id
            )
    esketamine = LedgerEntry.objects.filter(
        kind=EntryKind.ADMINISTRATION, container__product__ndc="50458-028-02"
    )
    assert [entry.mg for entry in esketamine] == [-28, -28]


def test_the_demo_waste_is_witnessed_by_someone_else(seeded):
    waste = LedgerEntry.objects.get(kind=EntryKind.WASTE)
    assert waste.witness is not None and waste.witness != waste.recorded_by
    assert waste.container.opened_at < waste.at
    assert waste.container.emptied_at is not None


def test_the_demo_count_has_a_difference_a_provider_resolved(seeded):
    count = Count.objects.get()
    assert count.counted_by != count.second_counter
    line = CountLine.objects.discrepancies().get()
    assert line.explanation
    assert line.resolution.resolved_by.email == "provider@demo.clinic"
    assert line.adjustment.mg == line.difference_mg
    assert count.lines.count() > 1
    assert not CountLine.objects.unresolved().exists()


def test_no_demo_container_is_below_zero(seeded):
    assert Container.objects.exists()
    assert not Container.objects.with_balance().filter(balance_mg__lt=0).exists()
    assert (
        not Container.objects.with_balance().filter(emptied_at__isnull=True, balance_mg=0).exists()
    )
    assert not Receipt.objects.filter(received_by=F("checked_by")).exists()


def test_seeding_twice_adds_nothing(seeded):
    models = [Product, Supplier, Receipt, Container, LedgerEntry, Count, CountLine, Resolution]
    before = [model.objects.count() for model in models]

    call_command("seed_demo", stdout=io.StringIO())

    assert [model.objects.count() for model in models] == before
