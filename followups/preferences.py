"""Whether a patient gets reminder emails, and the signed opt-out link in each one."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clinic.models import Patient
from followups.models import ReminderPreference

OPT_OUT_SALT = "followups.opt-out"
# Like every patient link, the opt-out link expires: each reminder email carries a fresh
# one, so an old email found later cannot change a patient's settings.
OPT_OUT_DAYS = 90


def opt_out_token(patient) -> str:
    """A signed, dated token naming only the patient's internal id: no details."""
    return signing.dumps(patient.pk, salt=OPT_OUT_SALT)


def patient_for_opt_out_token(token):
    try:
        pk = signing.loads(token, salt=OPT_OUT_SALT, max_age=datetime.timedelta(days=OPT_OUT_DAYS))
    except signing.BadSignature:
        return None
    return Patient.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def opt_out_url(patient, site_url=None) -> str:
    base = (site_url or settings.SITE_URL).rstrip("/")
    return base + reverse("followups:reminders_opt_out", args=[opt_out_token(patient)])


def reminders_set(*, patient, enabled: bool, by_patient: bool = False) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.get_or_create(patient=patient)
    preference.email_reminders = enabled
    preference.changed_by_patient = by_patient
    preference.save()
    return preference
