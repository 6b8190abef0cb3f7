from django.db import migrations


class Migration(migrations.Migration):
    """The reminder scan no longer runs on django-tasks-db's queue (followups/worker.py),
    and the package is gone: drop the queue's table in databases that still have it."""

    dependencies = [
        ('followups', '0004_booking_confirmation'),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS django_tasks_database_dbtaskresult",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
