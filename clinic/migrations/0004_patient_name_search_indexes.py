"""Trigram indexes so that searching any part of a name or phone number uses an index.

Django's `icontains` is `UPPER(col::text) LIKE UPPER('%x%')` on PostgreSQL: a
B-tree cannot serve a leading wildcard, a GIN trigram index on the same
expression can. PostgreSQL only; SQLite (the demo) scans its few rows.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = {
    "patient_first_name_trgm": 'UPPER("legal_first_name"::text)',
    "patient_last_name_trgm": 'UPPER("legal_last_name"::text)',
    "patient_preferred_name_trgm": 'UPPER("preferred_name"::text)',
    "patient_phone_trgm": '"phone"',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "clinic_patient" '
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_safetyflag_one_open_flag_per_patient_and_source")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
