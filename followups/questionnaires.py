"""Follow-up questionnaires a patient answers through a private link: the email, the answers."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.emails import email_body
from clinic.instruments import InstrumentCode
from clinic.measures import measure_record
from clinic.models import LinkPurpose, MeasureSource, OutcomeMeasure, PatientLink
from followups.models import Reminder, ReminderKind
from followups.preferences import opt_out_url

QUESTIONNAIRE_ORDER = [InstrumentCode.PHQ9, InstrumentCode.GAD7]


class NoEmailAddress(Exception):
    """The patient has no email address to send a link to."""


def questionnaire_link_url(token: str, site_url: str | None = None) -> str:
    base = (site_url or settings.SITE_URL).rstrip("/")
    return base + reverse("followups:questionnaire_start", args=[token])


def questionnaire_email(*, patient, token, expires_at, site_url=None):
    """Subject and body of the email carrying a questionnaire link."""
    body = email_body(
        "followups/email/questionnaire.txt",
        {
            "patient": patient,
            "url": questionnaire_link_url(token, site_url),
            "expires_at": expires_at,
            "opt_out_url": opt_out_url(patient, site_url),
        },
    )
    return "A short check-in questionnaire from your care team", body


def questionnaire_link_send(*, patient, site_url: str, issued_by) -> PatientLink:
    """Issue a fresh link (the old one stops working) and email it once the transaction commits."""
    if not patient.email:
        raise NoEmailAddress
    with transaction.atomic():
        link, token = PatientLink.issue(
            patient=patient, purpose=LinkPurpose.QUESTIONNAIRE, created_by=issued_by
        )
        subject, body = questionnaire_email(
            patient=patient, token=token, expires_at=link.expires_at, site_url=site_url
        )
        reminder = Reminder.objects.create(
            patient=patient, kind=ReminderKind.QUESTIONNAIRE_BY_STAFF
        )

        def send():
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [patient.email])
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["status", "sent_at"])

        transaction.on_commit(send)
    return link


def questionnaire_remaining(link: PatientLink) -> list[str]:
    """The instruments this link still asks for, in order."""
    done = set(
        OutcomeMeasure.objects.filter(
            patient_id=link.patient_id,
            source=MeasureSource.PATIENT_LINK,
            taken_at__gte=link.created_at,
        ).values_list("instrument", flat=True)
    )
    return [code for code in QUESTIONNAIRE_ORDER if code not in done]


def questionnaire_answer(*, link: PatientLink, instrument_code, answers, difficulty=None):
    """Save the patient's answers; the link stops working once every questionnaire is in.

    None, and nothing saved, when this instrument is already in (a page sent twice at once).
    """
    with transaction.atomic():
        link = PatientLink.objects.select_for_update().select_related("patient").get(pk=link.pk)
        if instrument_code not in questionnaire_remaining(link):
            return None
        measure = measure_record(
            patient=link.patient,
            instrument_code=instrument_code,
            answers=answers,
            difficulty=difficulty,
            source=MeasureSource.PATIENT_LINK,
        )
        if not questionnaire_remaining(link):
            link.revoke()
    return measure
