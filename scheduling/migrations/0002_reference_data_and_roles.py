from django.db import migrations


def create_reference_data(apps, schema_editor):
    from scheduling.reference_data import ensure_reference_data

    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("clinic", "0003_clinic_settings_for_intake_and_scheduling"),
    ]

    operations = [migrations.RunPython(create_reference_data, migrations.RunPython.noop)]
