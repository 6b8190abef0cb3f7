"""A fixed-window counter per client, shared by every process and host.

With Redis (CACHE_URL) the counter is the cache's, whose increments are atomic. Otherwise
it is a row of `clinic.RateCounter`, counted by one `INSERT … ON CONFLICT DO UPDATE …
RETURNING` statement: requests arriving at the same instant each count (Django's database
cache reads and then writes, so a burst of simultaneous requests counted as one), and no
cache culling can forget a count.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from clinic.models import RateCounter

FORGET_AFTER = datetime.timedelta(days=1)

UPSERT = """
INSERT INTO {table} (key, window_ends_at, count) VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN {table}.window_ends_at <= %s THEN 1 ELSE {table}.count + 1 END,
    window_ends_at = CASE WHEN {table}.window_ends_at <= %s
        THEN excluded.window_ends_at ELSE {table}.window_ends_at END
RETURNING count
"""


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(request, scope):
    return f"ratelimit:{scope}:{client_address(request)}"


def _counts_in_cache():
    """Redis increments atomically; any other cache is counted in the database instead."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def rate_limited(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request; True once the client has made more than `limit` in the window."""
    key = _key(request, scope)
    if _counts_in_cache():
        return _cache_count(key, window_seconds) > limit
    return _database_count(key, window_seconds) > limit


def rate_count(request, *, scope: str) -> int:
    """What the client has counted in the current window, without counting this request."""
    key = _key(request, scope)
    if _counts_in_cache():
        return cache.get(key, 0)
    counter = RateCounter.objects.filter(key=key, window_ends_at__gt=timezone.now()).first()
    return counter.count if counter else 0


def _cache_count(key, window_seconds):
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(); this is the first request of a new one.
        cache.set(key, 1, timeout=window_seconds)
        return 1


def _database_count(key, window_seconds):
    now = timezone.now()
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.format(table=table),
            [key, now + datetime.timedelta(seconds=window_seconds), now, now],
        )
        return cursor.fetchone()[0]


def rate_counters_forget(now=None):
    """Drop the counters of windows long over (the reminder worker does, once a scan)."""
    cutoff = (now or timezone.now()) - FORGET_AFTER
    return RateCounter.objects.filter(window_ends_at__lt=cutoff).delete()[0]
