"""Intake's role permissions and a first consent document, for migrations and after flush."""

from clinic.roles import grant

# What each role may do with intake. Front desk sends links; clinical staff
# read the answers; only providers decide.
INTAKE_PERMISSIONS = {
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

DEFAULT_CONSENT_TITLE = "Consent to ketamine treatment"
DEFAULT_CONSENT_BODY = """\
This clinic offers ketamine treatment for depression and related conditions. A provider will \
review your answers before deciding whether this treatment may be right for you.

Ketamine can cause changes in how you see, hear and feel (dissociation), drowsiness, nausea, \
dizziness and a rise in blood pressure. These usually pass within two hours. You will be \
monitored by clinic staff until it is safe for you to leave.

After each session an adult must take you home. You must not drive, operate machinery or make \
important decisions until the next day, after a night's sleep.

Tell the clinic about every medication you take, and about any change to your health, before \
each session. You may stop treatment at any time.

Your answers are kept private and used only for your care. If you have thoughts of harming \
yourself, call or text 988, or call 911 in an emergency.

The clinic's administrator replaces this text with the clinic's own consent document."""


def ensure_reference_data(apps):
    grant(apps, INTAKE_PERMISSIONS)
    ConsentDocument = apps.get_model("intake", "ConsentDocument")
    if not ConsentDocument.objects.exists():
        ConsentDocument.objects.create(
            version=1, title=DEFAULT_CONSENT_TITLE, body=DEFAULT_CONSENT_BODY
        )


def ensure_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes the migrated state's registry (without these models after
    # `migrate intake zero`); `flush` passes none.
    if apps is None:
        from django.apps import apps
    try:
        apps.get_model("intake", "ConsentDocument")
    except LookupError:
        return
    ensure_reference_data(apps)
