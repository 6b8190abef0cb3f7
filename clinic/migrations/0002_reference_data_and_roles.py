from django.db import migrations

from clinic.roles import CLINIC_PERMISSIONS, grant

# Default session parts per route, in minutes (see DOMAIN.md): preparation,
# administration, minimum monitoring before discharge. Clinic admins edit them.
ROUTES = [
    ("iv", "IV infusion", 15, 40, 60),
    ("im", "IM injection", 15, 5, 60),
    ("sc", "SC injection", 15, 5, 60),
    ("oral", "Oral / sublingual", 15, 15, 60),
    ("intranasal", "Intranasal esketamine", 15, 10, 120),
]


def create_reference_data(apps, schema_editor):
    Route = apps.get_model("clinic", "Route")
    Clinic = apps.get_model("clinic", "Clinic")
    for code, name, preparation, administration, monitoring in ROUTES:
        Route.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "preparation_minutes": preparation,
                "administration_minutes": administration,
                "monitoring_minutes": monitoring,
            },
        )
    Clinic.objects.get_or_create(pk=1)


def create_roles(apps, schema_editor):
    grant(apps, CLINIC_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_reference_data, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
