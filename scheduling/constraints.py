"""Constraints that PostgreSQL enforces and that SQLite (the demo) skips.

SQLite cannot express EXCLUDE, and a CHECK on date arithmetic would need a
function that only Django's own connections define; there the booking
service's lock and re-check guard alone, and SQLite serialises writers
(transaction_mode IMMEDIATE).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CheckConstraint, Func


class TsTzRange(Func):
    """A half-open [start, end) range: back-to-back sessions touch but do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresOnly:
    """Creates, removes and checks the constraint on PostgreSQL only."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)

    def check(self, model, connection):
        if connection.vendor != "postgresql":
            return []
        return super().check(model, connection)


class PortableExclusionConstraint(PostgresOnly, ExclusionConstraint):
    pass


class PostgresCheckConstraint(PostgresOnly, CheckConstraint):
    pass
