"""Personas and shared fixtures for the whole suite."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from clinic.roles import Role
from tests.factories import PatientFactory, UserFactory
from tests.two_factor import log_in_verified


def pytest_configure(config):
    # Hashing demo passwords at full strength would make the suite minutes slower.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionstart(session):
    """Stop at once, with advice, when the configured PostgreSQL cannot be reached."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    try:
        psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"Cannot reach PostgreSQL at {database['HOST']}:{database['PORT']} "
            f"as {database['USER']!r}: {error}\n"
            "Start it, or point the tests at one with "
            "DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DBNAME "
            "(or run them on SQLite with DATABASE_URL=sqlite:///test.sqlite3).",
            returncode=3,
        )


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)


@pytest.fixture(autouse=True)
def empty_cache(request, django_db_blocker):
    """The clinic report and the home page's counts are kept in the cache, a table in the
    database: each test that uses the database starts with it empty (the rate-limit
    counters are rows of their own, which go with each test's transaction)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    # Before the test only: a test's own rows go with its transaction, and after a test
    # whose transaction is broken on purpose (an IntegrityError) nothing more can run.
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        cache.clear()
    yield


@pytest.fixture
def front_desk(db):
    return UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)


@pytest.fixture
def nurse(db):
    return UserFactory(email="daniel@clinic.test", first_name="Daniel", role=Role.NURSE)


@pytest.fixture
def provider(db):
    return UserFactory(email="chen@clinic.test", first_name="Grace", role=Role.PROVIDER)


@pytest.fixture
def clinic_admin(db):
    return UserFactory(
        email="sam@clinic.test", first_name="Sam", role=Role.CLINIC_ADMIN, is_staff=True
    )


@pytest.fixture
def personas(front_desk, nurse, provider, clinic_admin):
    return {
        "front_desk": front_desk,
        "nurse": nurse,
        "provider": provider,
        "clinic_admin": clinic_admin,
    }


@pytest.fixture
def client_for(client):
    def log_in(user):
        log_in_verified(client, user)
        return client

    return log_in


@pytest.fixture
def patient(db):
    return PatientFactory(legal_first_name="Alex", legal_last_name="Morgan", phone="4155550100")


@pytest.fixture
def browser_required():
    return os.environ.get("REQUIRE_BROWSER") == "1"
