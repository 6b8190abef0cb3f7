"""What each role may do in follow-up tracking, granted after every `migrate` and `flush`.

The data migration carries its own frozen copy of these lists; this one is
the current truth that the post_migrate handler restores.
"""

from clinic.roles import Role, grant

_FOLLOW_UP_WORK = [
    "followups.view_followup",
    "followups.add_followup",
    "followups.change_followup",
    "followups.send_questionnaire_link",
    "followups.view_reminder",
    "followups.view_reminderpreference",
    "followups.change_reminderpreference",
]

FOLLOW_UP_PERMISSIONS = {
    Role.FRONT_DESK: _FOLLOW_UP_WORK,
    Role.NURSE: [*_FOLLOW_UP_WORK, "clinic.add_outcomemeasure"],
    Role.PROVIDER: [
        *_FOLLOW_UP_WORK,
        "clinic.add_outcomemeasure",
        "followups.view_clinic_report",
    ],
    Role.CLINIC_ADMIN: [
        "followups.view_followup",
        "followups.view_reminder",
        "followups.view_reminderpreference",
        "followups.view_clinic_report",
    ],
}


def ensure_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes the migrated state's registry (without these models after
    # `migrate followups zero`); `flush` passes none.
    if apps is None:
        from django.apps import apps
    try:
        apps.get_model("followups", "FollowUp")
    except LookupError:
        return
    grant(apps, FOLLOW_UP_PERMISSIONS)
