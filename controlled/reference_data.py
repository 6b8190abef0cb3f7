"""Who holds the keys, kept after every `migrate` and `flush` (as the other apps keep
their roles' permissions): the custodian permission for nurses, providers and clinic
admins, never the front desk; resolving a count's difference for providers and clinic
admins; products, storage locations and suppliers for clinic admins."""

from clinic.roles import Role, grant

CUSTODIAN = "controlled.handle_controlled_substances"
CONFIGURATION = [
    f"controlled.{action}_{model}"
    for model in ("product", "storagelocation", "supplier")
    for action in ("view", "add", "change")
]
CONTROLLED_PERMISSIONS = {
    Role.NURSE: [CUSTODIAN],
    Role.PROVIDER: [CUSTODIAN, "controlled.resolve_discrepancy"],
    Role.CLINIC_ADMIN: [CUSTODIAN, "controlled.resolve_discrepancy", *CONFIGURATION],
}


def ensure_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes the migrated state's registry; `flush` passes none.
    if apps is None:
        from django.apps import apps
    try:
        apps.get_model("controlled", "LedgerEntry")
    except LookupError:
        return
    grant(apps, CONTROLLED_PERMISSIONS)
