import pytest
from django.urls import reverse

from intake import services
from tests.intake.factories import IntakeFactory


@pytest.fixture
def intake(patient):
    return IntakeFactory(patient=patient)


@pytest.fixture
def token(intake):
    _link, raw = services.intake_link_issue(patient=intake.patient)
    return raw


@pytest.fixture
def patient_client(client, token):
    """A browser that opened the patient's link: the token is now a session."""
    response = client.get(reverse("intake:start", args=[token]))
    assert response.status_code == 302
    return client
