"""Tables that only grow: the read log and every change-history table.

On PostgreSQL a row trigger refuses UPDATE and DELETE on each of them, so a
record of who read or changed what cannot be rewritten through the application
or its database login (TRUNCATE, a database owner's operation, is left to the
database's own privileges: docs/SECURITY.md). Installed after every `migrate`,
so a history table added later is covered too; SQLite, the demo's database,
has no such guard. An app adds its own ledgers with `register_append_only()`.
"""

from django.apps import apps
from django.db import connections

FUNCTION = "clinic_refuse_rewrite"
TRIGGER = "clinic_append_only"
_registered = []


def register_append_only(*models):
    """Protect these models' tables too (from an app's AppConfig.ready())."""
    _registered.extend(models)


CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: this table only grows; correct a mistake with a new row',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def append_only_tables():
    """The read log's table, every simple-history table (with its many-to-many ones) and
    the tables apps registered."""
    from clinic.models import AccessLogEntry

    tables = {AccessLogEntry._meta.db_table, *(model._meta.db_table for model in _registered)}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table.startswith(f"{model._meta.app_label}_historical"):
            tables.add(model._meta.db_table)
    return sorted(tables)


def protect_append_only_tables(using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        for table in append_only_tables():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quoted} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
