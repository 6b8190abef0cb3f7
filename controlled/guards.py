"""A container's identity is fixed once received: its product, delivery, number, lot and
expiry are what every draw from it names. On PostgreSQL a trigger refuses to change them
or to delete a container; only where it is kept and its opened and emptied marks change
(the ledger's own tables only grow: clinic/append_only.py). Installed after every
`migrate`, as the core's guards are.
"""

from django.db import connections

FUNCTION = "controlled_container_fixed"
TRIGGER = "controlled_container_fixed"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR NEW.product_id IS DISTINCT FROM OLD.product_id
       OR NEW.receipt_id IS DISTINCT FROM OLD.receipt_id
       OR NEW.number IS DISTINCT FROM OLD.number
       OR NEW.lot_number IS DISTINCT FROM OLD.lot_number
       OR NEW.expires_on IS DISTINCT FROM OLD.expires_on THEN
        RAISE EXCEPTION '% on %: a received container keeps its product, lot and expiry',
            TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
"""


def protect_containers(using="default", **kwargs):
    from controlled.models import Container

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    table = Container._meta.db_table
    if table not in connection.introspection.table_names():
        return
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quoted}")
        cursor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quoted} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
