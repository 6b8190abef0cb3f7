"""Intake's role permissions and a first consent document.

Frozen here as they were when this migration was written: later changes to the
app's reference data reach existing databases through their own migrations.
"""

from django.db import migrations

from clinic.roles import grant

ROLE_PERMISSIONS = {
    "Front desk": ["intake.send_intake_link"],
    "Nurse": ["intake.view_intake"],
    "Provider": ["intake.view_intake", "intake.send_intake_link", "intake.clear_intake"],
    "Clinic admin": [
        "intake.view_intake",
        "intake.send_intake_link",
        "intake.view_consentdocument",
        "intake.add_consentdocument",
        "intake.change_consentdocument",
    ],
}

CONSENT_TITLE = "Consent to ketamine treatment"
CONSENT_BODY = """\
This clinic offers ketamine treatment for depression and related conditions. A provider \
will review your answers before deciding whether this treatment may be right for you.

Ketamine can cause changes in how you see, hear and feel (dissociation), drowsiness, \
nausea, dizziness and a rise in blood pressure. These usually pass within two hours. You \
will be monitored by clinic staff until it is safe for you to leave.

After each session an adult must take you home. You must not drive, operate machinery or \
make important decisions until the next day, after a night's sleep.

Tell the clinic about every medication you take, and about any change to your health, \
before each session. You may stop treatment at any time.

Your answers are kept private and used only for your care. If you have thoughts of harming \
yourself, call or text 988, or call 911 in an emergency.

The clinic's administrator replaces this text with the clinic's own consent document."""


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)
    ConsentDocument = apps.get_model("intake", "ConsentDocument")
    if not ConsentDocument.objects.exists():
        ConsentDocument.objects.create(version=1, title=CONSENT_TITLE, body=CONSENT_BODY)


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("clinic", "0002_reference_data_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
