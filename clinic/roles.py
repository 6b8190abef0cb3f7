"""Staff roles are Django groups; what each may do is the permissions listed here.

Each app grants its own permissions to the roles in a data migration, through
`grant()`, so the groups are the same on every installation.
"""

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "Front desk"
    NURSE = "Nurse"
    PROVIDER = "Provider"
    CLINIC_ADMIN = "Clinic admin"


# The roles whose members may monitor sessions (be an appointment's clinician).
CLINICIAN_ROLES = [Role.NURSE, Role.PROVIDER]

CONFIGURATION_MODELS = ["clinic", "route", "room", "openinghours", "closure"]

CLINIC_PERMISSIONS = {
    Role.FRONT_DESK: [
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_safetyflag",
    ],
    Role.NURSE: ["clinic.view_patient", "clinic.view_safetyflag", "clinic.view_outcomemeasure"],
    Role.PROVIDER: [
        "clinic.view_patient",
        "clinic.view_safetyflag",
        "clinic.acknowledge_safetyflag",
        "clinic.view_outcomemeasure",
    ],
    Role.CLINIC_ADMIN: [
        "clinic.view_patient",
        "clinic.view_safetyflag",
        "clinic.view_outcomemeasure",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_historicalpatient",
        "clinic.view_accesslogentry",
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "auth.view_group",
        *[
            f"clinic.{action}_{model}"
            for model in CONFIGURATION_MODELS
            for action in ("view", "add", "change", "delete")
            if not (model == "clinic" and action in ("add", "delete"))
        ],
    ],
}


def grant(apps, role_permissions):
    """Create the role groups if needed and give them the permissions (for migrations)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; create
    # them now so that they can be granted. Historical app configs have no
    # models_module, which create_permissions() requires.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permission_names in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        for name in permission_names:
            app_label, codename = name.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)
