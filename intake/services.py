"""Intake workflows: each touches several rows, so each owns its transaction."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.emails import email_body
from clinic.flags import self_harm_flag_raise
from clinic.instruments import INSTRUMENTS, InstrumentCode
from clinic.measures import measure_record
from clinic.models import (
    Clinic,
    LinkPurpose,
    MeasureSource,
    Patient,
    PatientLink,
    PatientStatus,
)
from intake.models import ConsentDocument, ConsentSignature, Decision, Intake

PATIENT_FIELDS_FROM_ABOUT_YOU = [
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "pronouns",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "preferred_language",
]
PATIENT_FIELDS_FROM_CONTACTS = [
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "escort_name",
    "escort_phone",
]


class NoEmailAddress(Exception):
    """The patient has no email address to send a link to."""


def intake_link_url(*, site_url: str, token: str) -> str:
    return site_url.rstrip("/") + reverse("intake:start", args=[token])


def intake_link_issue(*, patient: Patient, issued_by=None) -> tuple[PatientLink, str]:
    """A fresh intake link (the old one stops working) and its raw token, shown only once."""
    with transaction.atomic():
        Intake.objects.get_or_create(patient=patient)
        return PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE, created_by=issued_by)


def intake_link_send(
    *, patient: Patient, site_url: str, issued_by=None, message: str = ""
) -> PatientLink:
    """Issue a link and email it to the patient once the transaction commits."""
    if not patient.email:
        raise NoEmailAddress
    link, token = intake_link_issue(patient=patient, issued_by=issued_by)
    clinic = Clinic.load()
    body = email_body(
        "intake/email/link.txt",
        {
            "patient": patient,
            "url": intake_link_url(site_url=site_url, token=token),
            "expires_at": link.expires_at,
            "message": message,
        },
    )
    # The subject names the clinic, never a condition or treatment.
    subject = f"Your forms from {clinic.name}"
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [patient.email])
    )
    return link


def intake_link_revoke(*, patient: Patient) -> int:
    now = timezone.now()
    return PatientLink.objects.filter(
        patient=patient, purpose=LinkPurpose.INTAKE, revoked_at__isnull=True
    ).update(revoked_at=now)


def intake_open(*, link: PatientLink) -> Intake:
    """The patient opened their link: the intake is under way."""
    with transaction.atomic():
        link.mark_opened()
        intake, _ = Intake.objects.get_or_create(patient=link.patient)
        patient = link.patient
        if patient.status == PatientStatus.REFERRED:
            patient.status = PatientStatus.INTAKE_IN_PROGRESS
            patient.save(update_fields=["status", "updated_at"])
        return intake


def _items(code, answers):
    """A questionnaire step's item answers, in order."""
    return [answers[f"item_{n}"] for n in range(1, len(INSTRUMENTS[code].items) + 1)]


def intake_step_save(*, intake: Intake, step: str, data: dict) -> None:
    """Save one step's answers. A self-harm answer raises the flag now, not at submission."""
    with transaction.atomic():
        # Lock the row: two tabs saving different steps must not overwrite each other.
        intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake.pk)
        intake.save_step(step, data)
        if step in INSTRUMENTS:
            self_harm_flag_raise(
                patient=intake.patient,
                source=MeasureSource.INTAKE,
                instrument_code=step,
                answers=_items(step, data),
            )


def intake_consent_sign(
    *, intake: Intake, signed_name: str, ip_address: str | None, user_agent: str
) -> ConsentSignature:
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if not intake.can_edit_step("consent"):
            raise ValidationError("This form can no longer be changed.", code="step_locked")
        if ConsentSignature.objects.filter(intake=intake).exists():
            raise ValidationError(
                "You have already signed the consent; it cannot be changed.",
                code="already_signed",
            )
        document = ConsentDocument.objects.current()
        if document is None:
            raise ValidationError(
                "The consent document is not available. Please call the clinic.",
                code="no_consent_document",
            )
        return ConsentSignature.objects.create(
            intake=intake,
            document=document,
            signed_name=signed_name,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:500],
        )


def _measure(intake, code):
    answers = intake.answers[code]
    # A flag raised since the intake began covers these answers, even once acknowledged.
    return measure_record(
        patient=intake.patient,
        instrument_code=code,
        answers=_items(code, answers),
        difficulty=answers.get("difficulty"),
        source=MeasureSource.INTAKE,
        unless_flagged_since=intake.started_at,
    )


def intake_submit(*, intake: Intake) -> Intake:
    """Lock the answers, score the questionnaires and put the patient up for review."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake.pk)
        reopened = list(intake.reopened_steps)
        intake.submit()
        patient = intake.patient
        for field in PATIENT_FIELDS_FROM_ABOUT_YOU:
            setattr(patient, field, intake.answers["about-you"].get(field, ""))
        for field in PATIENT_FIELDS_FROM_CONTACTS:
            setattr(patient, field, intake.answers["contacts"].get(field, ""))
        patient.status = PatientStatus.UNDER_REVIEW
        patient.full_clean(validate_unique=False)
        patient.save()
        # A re-submission after "more information needed" scores only reopened questionnaires,
        # so the baseline is not duplicated.
        if intake.phq9 is None or "phq9" in reopened:
            intake.phq9 = _measure(intake, InstrumentCode.PHQ9)
        if intake.gad7 is None or "gad7" in reopened:
            intake.gad7 = _measure(intake, InstrumentCode.GAD7)
        intake.save(update_fields=["phq9", "gad7"])
        return intake


def intake_decide(
    *,
    intake: Intake,
    decision: str,
    decided_by,
    routes=(),
    reason: str = "",
    message: str = "",
    reopen_steps=(),
    site_url: str = "",
) -> Intake:
    """Record a provider's decision and set the patient's status to match it."""
    if not decided_by.has_perm("intake.clear_intake"):
        raise ValidationError("Only a provider can decide on an intake.", code="not_a_provider")
    with transaction.atomic():
        intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake.pk)
        intake.record_decision(
            decision=decision,
            by=decided_by,
            reason=reason,
            reopen_steps=reopen_steps,
            message=message,
        )
        patient = intake.patient
        if decision == Decision.CLEARED:
            patient.status = PatientStatus.CLEARED
            patient.save(update_fields=["status", "updated_at"])
            patient.cleared_routes.set(routes)
        elif decision == Decision.NOT_ELIGIBLE:
            patient.status = PatientStatus.NOT_ELIGIBLE
            patient.save(update_fields=["status", "updated_at"])
            patient.cleared_routes.clear()
        else:
            patient.status = PatientStatus.INTAKE_IN_PROGRESS
            patient.save(update_fields=["status", "updated_at"])
            if patient.email:
                intake_link_send(
                    patient=patient, site_url=site_url, issued_by=decided_by, message=message
                )
        return intake


def self_referral_create(*, data: dict, site_url: str) -> tuple[Patient, PatientLink]:
    """A person referred themselves: a referred patient, an intake and a link emailed to them."""
    with transaction.atomic():
        patient = Patient(
            legal_first_name=data["legal_first_name"],
            legal_last_name=data["legal_last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data["phone"],
            email=data["email"],
            status=PatientStatus.REFERRED,
        )
        patient.full_clean()
        patient.save()
        link = intake_link_send(patient=patient, site_url=site_url)
        return patient, link
