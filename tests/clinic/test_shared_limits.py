"""The link throttle counts across processes: every worker and host shares one cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from clinic.ratelimit import rate_limited
from tests.databases import other_process_database_env

PROJECT = Path(__file__).resolve().parents[2]
LIMIT = {"scope": "shared-test", "limit": 3, "window_seconds": 60}
COUNT_IN_ANOTHER_PROCESS = f"""
import django
django.setup()
from django.test import RequestFactory
from clinic.ratelimit import rate_limited
request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
print([rate_limited(request, **{LIMIT!r}) for _ in range(3)])
"""


def another_process(**env):
    environment = {**os.environ, **other_process_database_env(), **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(  # noqa: S603 - a fixed interpreter and fixed code
        [sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS],
        cwd=PROJECT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def request_here():
    return RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_requests_counted_by_another_process_count_here():
    assert another_process() == "[False, False, False]"  # three within the limit, there

    assert rate_limited(request_here(), **LIMIT)  # the fourth, here, is over it
    assert not rate_limited(RequestFactory().get("/", REMOTE_ADDR="198.51.100.1"), **LIMIT)


def redis_url():
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_with_redis_the_count_is_shared_too():
    url = redis_url()
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    with override_settings(CACHES=redis_cache):
        from django.core.cache import cache

        cache.clear()
        try:
            assert another_process(CACHE_URL=url) == "[False, False, False]"
            assert rate_limited(request_here(), **LIMIT)
        finally:
            cache.clear()
