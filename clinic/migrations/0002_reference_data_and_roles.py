"""The clinic's settings row, the routes with their default session parts, and the roles.

Frozen here as they were when this migration was written: later changes to the
app's reference data reach existing databases through their own migrations.
"""

from django.db import migrations

from clinic.roles import grant

ROUTES = [
    ("iv", "IV infusion", 15, 40, 60),
    ("im", "IM injection", 15, 5, 60),
    ("sc", "SC injection", 15, 5, 60),
    ("oral", "Oral / sublingual", 15, 15, 60),
    ("intranasal", "Intranasal esketamine", 15, 10, 120),
]

ROLE_PERMISSIONS = {
    "Front desk": [
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_safetyflag",
    ],
    "Nurse": ["clinic.view_patient", "clinic.view_safetyflag", "clinic.view_outcomemeasure"],
    "Provider": [
        "clinic.view_patient",
        "clinic.view_safetyflag",
        "clinic.acknowledge_safetyflag",
        "clinic.view_outcomemeasure",
    ],
    "Clinic admin": [
        "clinic.view_patient",
        "clinic.view_safetyflag",
        "clinic.view_outcomemeasure",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_historicalpatient",
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "auth.view_group",
        "clinic.view_clinic",
        "clinic.change_clinic",
        "clinic.view_route",
        "clinic.add_route",
        "clinic.change_route",
        "clinic.delete_route",
        "clinic.view_room",
        "clinic.add_room",
        "clinic.change_room",
        "clinic.delete_room",
        "clinic.view_openinghours",
        "clinic.add_openinghours",
        "clinic.change_openinghours",
        "clinic.delete_openinghours",
        "clinic.view_closure",
        "clinic.add_closure",
        "clinic.change_closure",
        "clinic.delete_closure",
    ],
}


def forwards(apps, schema_editor):
    Route = apps.get_model("clinic", "Route")
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
    apps.get_model("clinic", "Clinic").objects.get_or_create(pk=1)
    grant(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
