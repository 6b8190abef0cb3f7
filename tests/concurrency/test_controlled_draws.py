"""Two nurses drawing from one vial at the same instant.

The control first shows the overdraw without the container's lock, so that the guarded
test proves the lock, not luck. PostgreSQL only: SQLite serialises writers.
"""

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from controlled import administrations, ledger
from controlled.models import Container, EntryKind, LedgerEntry
from tests.concurrency.test_booking_races import run_at_once
from tests.controlled.factories import receive, session_record
from tests.factories import UserFactory
from tests.scheduling.factories import open_clinic

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the window between reading what remains and writing the draw."""
    original = ledger._ensure_enough

    def check_then_pause(container, mg):
        original(container, mg)
        time.sleep(0.3)

    monkeypatch.setattr(ledger, "_ensure_enough", check_then_pause)


@pytest.fixture
def no_lock(monkeypatch):
    """The container read without SELECT ... FOR UPDATE: the guard taken away."""

    def read_only(container):
        read = Container.objects.select_related("product").get(pk=container.pk)
        read.balance_mg, read.balance_ml = ledger.balance(read)
        return read

    monkeypatch.setattr(ledger, "lock", read_only)


def two_draws_of_300_mg():
    open_clinic(weekdays=range(7))
    vial = receive()[0]  # 500 mg
    records = [session_record(), session_record()]
    nurses = [UserFactory(role="Nurse"), UserFactory(role="Nurse")]

    def draw(index):
        return lambda: administrations.dose_draw(
            record=records[index], container=vial, mg=Decimal(300), by=nurses[index]
        )

    return vial, run_at_once([draw(0), draw(1)])


def test_control_without_the_lock_two_draws_overdraw_the_vial(slow_check, no_lock):
    vial, results = two_draws_of_300_mg()

    assert all(isinstance(result, LedgerEntry) for result in results), results
    assert ledger.balance(vial)[0] == Decimal(-100)


def test_with_the_lock_the_second_draw_is_refused_and_the_vial_never_goes_below_zero(
    slow_check,
):
    vial, results = two_draws_of_300_mg()

    drawn = [result for result in results if isinstance(result, LedgerEntry)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(drawn) == 1 and len(refused) == 1, results
    assert "Only 200 mg" in refused[0].messages[0]
    assert ledger.balance(vial)[0] == Decimal(200)
    assert LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).count() == 1
