"""The keep-alive behind "Stay signed in", and the idle warning each page draws."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import services
from tests.factories import PatientFactory
from tests.two_factor import app_device, log_in_verified

pytestmark = pytest.mark.django_db

KEEP_ALIVE = reverse("session_keep_alive")


def expire_soon(client):
    """Leave the client's session one minute from its end; return its key."""
    key = client.session.session_key
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    return key


def expiry_of(key):
    return Session.objects.get(pk=key).expire_date


def open_intake_link(client):
    patient = PatientFactory()
    _link, token = services.intake_link_issue(patient=patient)
    client.get(reverse("intake:start", args=[token]))
    return patient, token


def test_it_moves_a_verified_staff_members_session_on(client, front_desk, settings):
    log_in_verified(client, front_desk)
    key = expire_soon(client)

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 204
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert expiry_of(key) > timezone.now() + age - datetime.timedelta(minutes=1)


def test_it_keeps_a_patients_link_session(client):
    open_intake_link(client)
    key = expire_soon(client)

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 204
    assert expiry_of(key) > timezone.now() + datetime.timedelta(minutes=2)


def test_it_refuses_a_visitor_without_a_session_and_makes_none(client):
    response = client.post(KEEP_ALIVE)

    assert response.status_code == 403
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def test_it_refuses_a_staff_member_who_has_not_given_their_code(client, front_desk):
    app_device(front_desk)
    client.force_login(front_desk)  # the password step only
    key = expire_soon(client)
    before = expiry_of(key)

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 403  # not sent to the code step
    assert expiry_of(key) == before


def test_it_answers_a_get_with_405(client, front_desk):
    log_in_verified(client, front_desk)

    response = client.get(KEEP_ALIVE)

    assert response.status_code == 405


def test_it_needs_the_csrf_token(front_desk):
    client = Client(enforce_csrf_checks=True)
    log_in_verified(client, front_desk)

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 403


def test_a_staff_page_draws_the_warning_with_the_staff_members_id(client, front_desk):
    log_in_verified(client, front_desk)

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert 'role="alertdialog"' in content
    assert f'data-owner="staff-{front_desk.pk}"' in content
    assert 'data-timeout-seconds="1800"' in content
    assert 'data-warning-seconds="120"' in content
    assert f'data-keep-alive-url="{KEEP_ALIVE}"' in content
    assert "signed out in 2 minutes to protect patients' information" in content
    assert "Sign out now" in content


def test_the_warning_comes_at_half_a_short_timeout(client, front_desk, settings):
    settings.SESSION_COOKIE_AGE = 6
    log_in_verified(client, front_desk)

    response = client.get(reverse("home"))

    assert 'data-warning-seconds="3"' in response.content.decode()
    assert "signed out in 3 seconds" in response.content.decode()


def test_no_warning_without_a_session_to_protect(client, front_desk):
    assert 'role="alertdialog"' not in client.get(reverse("login")).content.decode()

    app_device(front_desk)
    client.force_login(front_desk)  # owes the code
    response = client.get(reverse("two_factor_verify"))

    assert 'role="alertdialog"' not in response.content.decode()


def test_a_patient_page_names_the_patient_by_an_opaque_id(client):
    patient, token = open_intake_link(client)

    response = client.get(reverse("intake:welcome"), follow=True)

    content = response.content.decode()
    assert "signed out in 2 minutes to protect your answers" in content
    assert 'data-owner="patient-' in content
    assert token not in content
    assert client.session.session_key not in content
    assert "Sign out now" not in content


def test_a_patient_keeps_one_id_when_opening_the_link_again(client):
    patient, token = open_intake_link(client)
    first = client.get(reverse("intake:welcome")).content.decode()

    client.cookies.clear()
    client.get(reverse("intake:start", args=[token]))
    again = client.get(reverse("intake:welcome")).content.decode()

    def owner(content):
        return content.split('data-owner="', 1)[1].split('"', 1)[0]

    assert owner(first) == owner(again)
    other = Client()
    open_intake_link(other)
    assert owner(other.get(reverse("intake:welcome")).content.decode()) != owner(first)
