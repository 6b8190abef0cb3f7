"""Publishing a new version of the consent document from the clinic settings."""

import pytest
from django.urls import reverse

from intake.models import ConsentDocument

pytestmark = pytest.mark.django_db


def test_a_new_version_is_published_and_the_signed_one_is_kept(client_for, clinic_admin):
    first = ConsentDocument.objects.current()
    client = client_for(clinic_admin)
    page = client.get(reverse("intake:settings_consent"))
    assert first.title in page.text

    client.post(
        reverse("intake:settings_consent"),
        {"title": "Consent to treatment", "body": "New text.\n\nSecond paragraph."},
    )

    current = ConsentDocument.objects.current()
    assert current.version == first.version + 1
    assert current.body == "New text.\n\nSecond paragraph."
    first.refresh_from_db()
    assert first.body != current.body


def test_an_empty_consent_is_refused(client_for, clinic_admin):
    count = ConsentDocument.objects.count()
    response = client_for(clinic_admin).post(
        reverse("intake:settings_consent"), {"title": "", "body": ""}
    )
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert ConsentDocument.objects.count() == count
