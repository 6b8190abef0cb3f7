"""One open safety flag per patient and source, kept by the database.

Before this constraint two requests at once could each raise a flag for the
same answers. Such duplicates are closed first, pointing at the flag that stays
open, so that the provider still acknowledges the concern once.
"""

from django.db import migrations, models
from django.utils import timezone


def close_duplicate_open_flags(apps, schema_editor):
    SafetyFlag = apps.get_model("clinic", "SafetyFlag")
    kept = {}
    duplicates = []
    for flag in SafetyFlag.objects.filter(acknowledged_at__isnull=True).order_by("raised_at", "pk"):
        key = (flag.patient_id, flag.source)
        if key in kept:
            duplicates.append((flag.pk, kept[key]))
        else:
            kept[key] = flag.pk
    now = timezone.now()
    for pk, original in duplicates:
        SafetyFlag.objects.filter(pk=pk).update(
            acknowledged_at=now,
            acknowledgement_note=f"Closed as a duplicate of flag {original}, which stays open.",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_reference_data_and_roles"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_open_flags, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="safetyflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=("patient", "source"),
                name="one_open_flag_per_patient_and_source",
                violation_error_message="This patient already has an open flag from this source.",
            ),
        ),
    ]
