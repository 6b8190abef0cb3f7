"""What each role may do in follow-up tracking.

Frozen here as they were when this migration was written: later changes to the
app's reference data reach existing databases through their own migrations.
"""

from django.db import migrations

from clinic.roles import grant

ROLE_PERMISSIONS = {
    "Front desk": [
        "followups.view_followup",
        "followups.add_followup",
        "followups.change_followup",
        "followups.send_questionnaire_link",
        "followups.view_reminder",
        "followups.view_reminderpreference",
        "followups.change_reminderpreference",
    ],
    "Nurse": [
        "followups.view_followup",
        "followups.add_followup",
        "followups.change_followup",
        "followups.send_questionnaire_link",
        "followups.view_reminder",
        "followups.view_reminderpreference",
        "followups.change_reminderpreference",
        "clinic.add_outcomemeasure",
    ],
    "Provider": [
        "followups.view_followup",
        "followups.add_followup",
        "followups.change_followup",
        "followups.send_questionnaire_link",
        "followups.view_reminder",
        "followups.view_reminderpreference",
        "followups.change_reminderpreference",
        "clinic.add_outcomemeasure",
        "followups.view_clinic_report",
    ],
    "Clinic admin": [
        "followups.view_followup",
        "followups.view_reminder",
        "followups.view_reminderpreference",
        "followups.view_clinic_report",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial"), ("clinic", "0002_reference_data_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
