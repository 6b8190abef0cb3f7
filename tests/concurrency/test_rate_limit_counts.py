"""Requests from one client at the same instant each count against its limit.

The counter is one atomic statement on a row (clinic/ratelimit.py). The control runs the
count through Django's database cache instead, whose increment reads and then writes:
two requests that read the same count both write the next one, and one is lost.
"""

import threading

import pytest
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.test import RequestFactory

from clinic import ratelimit
from tests.concurrency.test_booking_races import run_at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

LIMIT = 30
REQUESTS = 40


def wrong_link():
    request = RequestFactory().get("/intake/start/x/", REMOTE_ADDR="198.51.100.9")
    return ratelimit.rate_limited(request, scope="links", limit=LIMIT, window_seconds=600)


def test_a_burst_from_one_client_counts_every_request():
    refused = run_at_once([wrong_link] * REQUESTS)

    assert refused.count(False) == LIMIT
    assert refused.count(True) == REQUESTS - LIMIT


def test_control_the_cache_count_loses_requests_that_arrive_together(monkeypatch):
    # Every increment reads the count, waits for the other request to read it too, then writes.
    both_read = threading.Barrier(2)
    real_get = DatabaseCache.get

    def get_then_wait(self, key, *args, **kwargs):
        value = real_get(self, key, *args, **kwargs)
        if key.startswith("ratelimit:") and value is not None:
            both_read.wait(timeout=10)
        return value

    monkeypatch.setattr(DatabaseCache, "get", get_then_wait)
    monkeypatch.setattr(ratelimit, "_database_count", ratelimit._cache_count)

    run_at_once([wrong_link, wrong_link])
    monkeypatch.undo()

    counted = cache.get("ratelimit:links:198.51.100.9")
    assert counted == 1  # two requests, one count
