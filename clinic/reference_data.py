"""Rows every installation needs: the clinic's settings row, the routes, the roles.

A data migration creates them from its own frozen copy; a post_migrate handler
re-creates any that are missing (after `flush`, as transactional tests do) and
grants permissions added since, from the lists here.
"""

from clinic.roles import CLINIC_PERMISSIONS, grant

# Default session parts per route, in minutes (see docs/CLINICAL.md): preparation,
# administration, minimum monitoring before discharge, then vitals every so many minutes
# during and after dosing. Clinic admins edit them.
ROUTES = [
    ("iv", "IV infusion", 15, 40, 60, 10, 15),
    ("im", "IM injection", 15, 5, 60, 15, 15),
    ("sc", "SC injection", 15, 5, 60, 15, 15),
    ("oral", "Oral / sublingual", 15, 15, 60, 15, 15),
    ("intranasal", "Intranasal esketamine", 15, 10, 120, 15, 40),
]


def ensure_reference_data(apps):
    Route = apps.get_model("clinic", "Route")
    Clinic = apps.get_model("clinic", "Clinic")
    for code, name, preparation, administration, monitoring, during, after in ROUTES:
        Route.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "preparation_minutes": preparation,
                "administration_minutes": administration,
                "monitoring_minutes": monitoring,
                "vitals_every_during": during,
                "vitals_every_after": after,
            },
        )
    Clinic.objects.get_or_create(pk=1)
    grant(apps, CLINIC_PERMISSIONS)


def ensure_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes the migrated state's registry (without these models after
    # `migrate clinic zero`); `flush` passes none.
    if apps is None:
        from django.apps import apps
    try:
        apps.get_model("clinic", "Route")
    except LookupError:
        return
    ensure_reference_data(apps)
