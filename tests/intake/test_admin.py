"""Clinic admins edit the consent by adding a version; signed versions never change."""

from django.urls import reverse

from intake.models import ConsentDocument
from tests.intake.factories import answered_intake


def test_a_clinic_admin_adds_a_new_consent_version(client_for, clinic_admin):
    response = client_for(clinic_admin).post(
        reverse("admin:intake_consentdocument_add"),
        {"title": "Consent to treatment", "body": "New text."},
    )

    assert response.status_code == 302
    assert ConsentDocument.objects.current().version == 2
    assert ConsentDocument.objects.current().body == "New text."


def test_a_signed_consent_keeps_its_version_when_a_new_one_is_added(client_for, clinic_admin):
    intake = answered_intake()

    client_for(clinic_admin).post(
        reverse("admin:intake_consentdocument_add"), {"title": "Consent", "body": "Changed."}
    )

    intake.consent.refresh_from_db()
    assert intake.consent.document.version == 1


def test_a_signed_consent_version_cannot_be_edited(client_for, clinic_admin):
    answered_intake()
    signed = ConsentDocument.objects.get(version=1)

    response = client_for(clinic_admin).post(
        reverse("admin:intake_consentdocument_change", args=[signed.pk]),
        {"title": "Rewritten", "body": "Rewritten."},
    )

    assert response.status_code == 403
    signed.refresh_from_db()
    assert signed.title != "Rewritten"
