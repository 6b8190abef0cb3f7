"""Chair turnover: each room's minutes after a session, and each appointment's chair held
until its turnover ends (the room's exclusion constraint now spans the turnover).

Appointments booked before keep no turnover (chair_until = ends_at), as they were booked.
"""

import datetime
import django.contrib.postgres.fields.ranges
import django.db.models.expressions
import scheduling.constraints
from django.conf import settings
from django.db import migrations, models


def held_until_end(apps, schema_editor):
    Appointment = apps.get_model("scheduling", "Appointment")
    Appointment.objects.update(chair_until=models.F("ends_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0015_room_turnover'),
        ('scheduling', '0012_appointment_seated_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='appointment',
            name='appointment_no_double_booked_room',
        ),
        migrations.AddField(
            model_name='appointment',
            name='chair_until',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='turnover_minutes',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='historicalappointment',
            name='turnover_minutes',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(held_until_end, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='appointment',
            name='chair_until',
            field=models.DateTimeField(),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=scheduling.constraints.PostgresCheckConstraint(condition=models.Q(('chair_until', django.db.models.expressions.CombinedExpression(models.F('ends_at'), '+', models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(models.F('turnover_minutes'), '*', models.Value(datetime.timedelta(seconds=60))), output_field=models.DurationField())))), name='appointment_chair_until_after_turnover', violation_error_message="The chair is held until the session's turnover ends."),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=scheduling.constraints.PortableExclusionConstraint(condition=models.Q(('status__in', ['booked', 'checked_in', 'completed'])), expressions=[(scheduling.constraints.TsTzRange('starts_at', 'chair_until', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&'), ('room', '=')], name='appointment_no_double_booked_room', violation_error_code='room_taken', violation_error_message='This chair is already booked at that time.'),
        ),
    ]
