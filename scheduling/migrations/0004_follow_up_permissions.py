from django.db import migrations


def grant_permissions(apps, schema_editor):
    from scheduling.reference_data import ensure_follow_up_permissions

    ensure_follow_up_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_follow_ups_and_reminders"),
        ("clinic", "0005_clinic_settings_label"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
