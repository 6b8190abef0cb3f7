"""Who holds the keys: the custodian permission for nurses, providers and clinic admins
(never the front desk); resolving a count's difference for providers and clinic admins;
products, storage locations and suppliers kept by clinic admins.

Frozen here as they were when this migration was written.
"""

from django.db import migrations

from clinic.roles import grant

CUSTODIAN = "controlled.handle_controlled_substances"
CONFIGURATION = [
    f"controlled.{action}_{model}"
    for model in ("product", "storagelocation", "supplier")
    for action in ("view", "add", "change")
]

ROLE_PERMISSIONS = {
    "Nurse": [CUSTODIAN],
    "Provider": [CUSTODIAN, "controlled.resolve_discrepancy"],
    "Clinic admin": [CUSTODIAN, "controlled.resolve_discrepancy", *CONFIGURATION],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("controlled", "0001_initial"), ("clinic", "0002_reference_data_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
