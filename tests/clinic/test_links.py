import datetime

import pytest
import time_machine
from django.utils import timezone

from clinic.models import Clinic, LinkPurpose, PatientLink
from clinic.models.links import hash_token

pytestmark = pytest.mark.django_db


def issue(patient, purpose=LinkPurpose.INTAKE):
    return PatientLink.issue(patient=patient, purpose=purpose)


def test_a_token_carries_at_least_128_random_bits(patient):
    _link, token = issue(patient)

    # token_urlsafe: 6 bits per character.
    assert len(token) * 6 >= 128


def test_only_a_hash_of_the_token_is_stored(patient):
    link, token = issue(patient)

    stored = PatientLink.objects.filter(pk=link.pk).values().get()
    assert token not in [str(value) for value in stored.values()]
    assert stored["token_hash"] == hash_token(token)


def test_two_links_never_share_a_token(patient):
    tokens = {issue(patient)[1] for _ in range(20)}

    assert len(tokens) == 20


def test_the_token_finds_its_link(patient):
    link, token = issue(patient)

    assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.INTAKE) == link


def test_an_unknown_token_finds_nothing(patient):
    issue(patient)

    assert PatientLink.objects.find_usable("made-up", purpose=LinkPurpose.INTAKE) is None


def test_an_absurdly_long_token_finds_nothing(patient):
    assert PatientLink.objects.find_usable("x" * 10_000, purpose=LinkPurpose.INTAKE) is None


def test_a_link_for_another_purpose_finds_nothing(patient):
    _link, token = issue(patient, purpose=LinkPurpose.QUESTIONNAIRE)

    assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.INTAKE) is None


def test_an_expired_link_finds_nothing(patient):
    _link, token = issue(patient)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.INTAKE) is None


def test_a_revoked_link_finds_nothing(patient):
    link, token = issue(patient)

    link.revoke()

    assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.INTAKE) is None


def test_a_link_expires_after_the_clinics_setting(patient):
    clinic = Clinic.load()
    clinic.intake_link_valid_days = 3
    clinic.save()

    link, _token = issue(patient)

    assert link.expires_at - link.created_at == datetime.timedelta(days=3)


def test_issuing_again_makes_the_earlier_link_stop_working(patient):
    _old, old_token = issue(patient)

    issue(patient)

    assert PatientLink.objects.find_usable(old_token, purpose=LinkPurpose.INTAKE) is None
