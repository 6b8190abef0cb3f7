import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from clinic.models import RateCounter
from clinic.ratelimit import rate_counters_forget, rate_limited

pytestmark = pytest.mark.django_db


def attempt(address="198.51.100.20"):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    return rate_limited(request, scope="test", limit=2, window_seconds=60)


def test_the_limit_counts_per_client_and_starts_again_with_a_new_window():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        assert [attempt(), attempt(), attempt()] == [False, False, True]
        assert attempt("198.51.100.21") is False  # another client has its own count
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 1, tzinfo=datetime.UTC), tick=False):
        assert attempt() is False  # the window has ended: counting starts again


def test_counters_of_windows_long_over_are_forgotten():
    attempt()
    RateCounter.objects.create(
        key="ratelimit:test:old",
        window_ends_at=timezone.now() - datetime.timedelta(days=2),
        count=9,
    )

    assert rate_counters_forget() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == [
        "ratelimit:test:198.51.100.20"
    ]
