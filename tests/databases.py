"""The test database as a DATABASE_URL, for the tests that start another process on it."""

from django.db import connection


def other_process_database_env():
    """{"DATABASE_URL": ...} naming the test database on PostgreSQL; on SQLite nothing
    (another process cannot open the in-memory test database, and needs none)."""
    if connection.vendor != "postgresql":
        return {}
    database = connection.settings_dict
    return {
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        )
    }
