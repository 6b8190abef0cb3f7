import datetime
import time

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from clinic.models import Clinic, Patient, PatientStatus
from intake.forms.referral import FORM_STARTED_SALT

URL = "/intake/refer-yourself/"


@pytest.fixture
def self_referral_on(db):
    clinic = Clinic.load()
    clinic.self_referral_enabled = True
    clinic.save()


def referral(started_seconds_ago=60, **overrides):
    return {
        "legal_first_name": "Robin",
        "legal_last_name": "Hale",
        "date_of_birth": "01/02/1990",
        "phone": "415 555 0123",
        "email": "robin@example.com",
        "website": "",
        "started": signing.dumps(time.time() - started_seconds_ago, salt=FORM_STARTED_SALT),
        **overrides,
    }


def test_the_page_is_not_there_when_the_clinic_turns_it_off(client, db):
    assert client.get(URL).status_code == 404


def test_a_person_refers_themselves_and_starts_intake_at_once(client, self_referral_on):
    response = client.post(URL, referral())

    assert response.status_code == 302
    assert response.url == reverse("intake:welcome")
    assert Patient.objects.get(legal_last_name="Hale").status == PatientStatus.INTAKE_IN_PROGRESS


def test_a_filled_honeypot_creates_nobody(client, self_referral_on):
    response = client.post(URL, referral(website="http://spam.example"))

    assert response.status_code == 200
    assert not Patient.objects.exists()


def test_a_form_sent_faster_than_a_person_types_is_asked_again_with_the_answers_kept(
    client, self_referral_on
):
    response = client.post(URL, referral(started_seconds_ago=0))

    assert not Patient.objects.exists()
    assert "Nothing was sent yet. Please check your answers" in response.text
    assert 'value="Hale"' in response.text  # what was typed is kept
    again = response.context["form"].data

    restarted = signing.loads(again["started"], salt=FORM_STARTED_SALT)
    assert time.time() - restarted < 5  # a new start time, to send again from
    sent = client.post(URL, {**again.dict(), "started": referral()["started"]})

    assert sent.status_code == 302
    assert Patient.objects.filter(legal_last_name="Hale").exists()


def test_a_form_left_open_for_more_than_a_day_is_asked_again(client, self_referral_on):
    opened = referral()
    with time_machine.travel(datetime.timedelta(hours=25)):
        response = client.post(URL, opened)

    assert not Patient.objects.exists()
    assert "Nothing was sent yet" in response.text


def test_a_forged_start_time_creates_nobody(client, self_referral_on):
    client.post(URL, referral(started="1"))

    assert not Patient.objects.exists()


def test_too_many_referrals_from_one_client_are_refused(client, self_referral_on):
    for n in range(5):
        client.post(URL, referral(email=f"robin{n}@example.com"))
        client.cookies.clear()

    response = client.post(URL, referral(email="robin9@example.com"))

    assert response.status_code == 429
    assert Patient.objects.count() == 5


@pytest.mark.parametrize(
    "overrides",
    [
        {"date_of_birth": "13/45/1990"},
        {"email": "<script>"},
        {"legal_first_name": "x" * 10_000},
        {"phone": "'; DROP TABLE x; --"},
    ],
)
def test_hostile_referrals_are_answered_with_a_message(client, self_referral_on, overrides):
    response = client.post(URL, referral(**overrides))

    assert response.status_code == 200
    assert not Patient.objects.exists()
