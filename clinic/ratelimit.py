"""A fixed-window counter per client on Django's cache.

The cache is shared by every process and host (settings.CACHES: the database cache, or
Redis with CACHE_URL), so the limit counts across them. The database cache counts in two
steps, so two requests at the same instant may count once; Redis counts exactly.
"""

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request; True once the client has made more than `limit` in the window."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(); this is the first request of a new one.
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
