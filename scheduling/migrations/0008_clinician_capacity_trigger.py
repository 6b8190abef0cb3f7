"""PostgreSQL refuses a booking that gives a clinician more patients at once than allowed.

The booking service locks the clinician's row and re-counts, and says why in words; this
trigger makes the rule hold for every other path too (raw ORM writes, bulk inserts, a
psql session). It counts what the planner counts: the most active appointments of the
clinician at any moment of the new one, itself included, against
Clinic.patients_per_clinician. It takes the same row lock as the service before counting,
so two writers cannot both see room for one more. SQLite (the demo) has no such trigger;
there the service's lock and re-check guard alone.
"""

from django.db import migrations

ACTIVE = "('booked', 'checked_in', 'completed')"

CREATE = f"""
CREATE FUNCTION scheduling_appointment_within_capacity() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    capacity integer;
    peak integer;
BEGIN
    IF NEW.status NOT IN {ACTIVE} THEN
        RETURN NULL;
    END IF;
    -- A check-in, a completion or a shorter time holds no more than before: an earlier
    -- booking stays valid after the clinic lowers its setting.
    IF TG_OP = 'UPDATE' AND OLD.status IN {ACTIVE}
            AND OLD.clinician_id = NEW.clinician_id
            AND OLD.starts_at <= NEW.starts_at AND OLD.ends_at >= NEW.ends_at THEN
        RETURN NULL;
    END IF;
    -- The booking service's lock (select_for_update) conflicts with this one; the lock
    -- taken by a foreign key check does not, so this cannot deadlock against it.
    PERFORM 1 FROM clinic_user WHERE id = NEW.clinician_id FOR NO KEY UPDATE;
    SELECT COALESCE(
        (SELECT patients_per_clinician FROM clinic_clinic WHERE id = 1), 2
    ) INTO capacity;
    -- The busiest moment of the new appointment is the start of it or of one inside it.
    -- No appointment lasts longer than 12 hours (a check constraint): the bound lets the
    -- index on starts_at find the few candidates.
    SELECT max((
        SELECT count(*) FROM scheduling_appointment other
        WHERE other.clinician_id = NEW.clinician_id
          AND other.status IN {ACTIVE}
          AND other.starts_at <= moment.at
          AND other.starts_at > moment.at - interval '12 hours'
          AND other.ends_at > moment.at
    )) INTO peak
    FROM (
        SELECT NEW.starts_at AS at
        UNION
        SELECT inside.starts_at FROM scheduling_appointment inside
        WHERE inside.clinician_id = NEW.clinician_id
          AND inside.status IN {ACTIVE}
          AND inside.starts_at > NEW.starts_at
          AND inside.starts_at < NEW.ends_at
    ) moment;
    IF peak > capacity THEN
        RAISE EXCEPTION 'The monitoring clinician already has % patients at that time.', capacity
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'appointment_within_clinician_capacity';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER appointment_within_clinician_capacity
AFTER INSERT OR UPDATE OF status, clinician_id, starts_at, ends_at
ON scheduling_appointment
FOR EACH ROW EXECUTE FUNCTION scheduling_appointment_within_capacity();
"""

DROP = """
DROP TRIGGER IF EXISTS appointment_within_clinician_capacity ON scheduling_appointment;
DROP FUNCTION IF EXISTS scheduling_appointment_within_capacity();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_worklist_indexes"),
        ("scheduling", "0007_database_keeps_choices"),
    ]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
