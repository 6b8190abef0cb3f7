"""@link_page: the one way intake and questionnaire pages find the link held in the session."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from clinic.link_sessions import link_hold, link_page
from clinic.models import Clinic, LinkPurpose, PatientLink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNAVAILABLE = "intake/link_unavailable.html"


@link_page(purpose=LinkPurpose.INTAKE, unavailable_template=UNAVAILABLE)
def page(request, link):
    return HttpResponse(f"Hello {link.patient.legal_first_name}")


@link_page(purpose=LinkPurpose.INTAKE, unavailable_template=UNAVAILABLE, usable_only=False)
def thanks_page(request, link):
    return HttpResponse("Thank you")


def browser():
    """A request with a session and no staff login, as a patient's browser sends it."""
    request = RequestFactory().get("/")
    SessionMiddleware(lambda request: None).process_request(request)
    request.user = AnonymousUser()
    request.clinic = Clinic.load()
    return request


def holding(link):
    request = browser()
    link_hold(request, link)
    return request


@pytest.fixture
def link(patient):
    link, _token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)
    return link


def test_the_view_gets_the_link_the_session_holds_with_its_patient(link, patient):
    response = page(holding(link))

    assert response.status_code == 200
    assert response.content.decode() == f"Hello {patient.legal_first_name}"


def test_a_session_without_a_link_shows_the_unavailable_page(db):
    response = page(browser())

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_an_expired_link_shows_the_unavailable_page(link):
    request = holding(link)

    with time_machine.travel(link.expires_at + datetime.timedelta(minutes=1)):
        response = page(request)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_revoked_since_it_was_opened_shows_the_unavailable_page(link):
    request = holding(link)
    link.revoke()

    response = page(request)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_held_for_another_purpose_shows_the_unavailable_page(patient):
    questionnaire, _token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)

    response = page(holding(questionnaire))

    assert response.status_code == 404


def test_a_page_after_the_last_answer_still_serves_a_used_up_link(link):
    request = holding(link)
    link.revoke()

    assert thanks_page(request).status_code == 200
    assert thanks_page(browser()).status_code == 404


def test_link_pages_are_public_and_never_cached(link):
    response = page(holding(link))

    assert "no-store" in response["Cache-Control"]
    assert page.login_required is False


def test_a_link_is_held_under_its_own_purpose(link, patient):
    request = holding(link)
    questionnaire, _token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)
    link_hold(request, questionnaire)

    assert page(request).status_code == 200


# One browser holds a staff login or patient links, never both.


def open_intake_link(client, patient):
    _link, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)
    assert client.get(reverse("intake:start", args=[token])).status_code == 302
    assert client.get(reverse("intake:welcome")).status_code == 200


def test_a_staff_login_ends_the_patient_link_session(client, patient):
    UserFactory(email="maria@clinic.test")
    open_intake_link(client, patient)

    response = client.post(
        reverse("login"), {"username": "maria@clinic.test", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert "intake_link_id" not in client.session
    assert client.get(reverse("intake:welcome")).status_code == 404


def test_the_link_stays_ended_after_the_staff_member_logs_out(client, patient, front_desk):
    open_intake_link(client, patient)
    client.post(
        reverse("login"), {"username": front_desk.email, "password": "correct-horse-battery"}
    )

    client.post(reverse("logout"))

    assert client.get(reverse("intake:welcome")).status_code == 404


def test_a_link_is_never_served_to_a_logged_in_staff_member(client, patient, front_desk):
    open_intake_link(client, patient)
    client.force_login(front_desk)  # any way of logging in, the admin's login page included

    response = client.get(reverse("intake:welcome"))

    assert response.status_code == 404
    assert "intake_link_id" not in client.session


def test_opening_a_patient_link_ends_the_staff_session(client, patient, front_desk):
    client.force_login(front_desk)

    open_intake_link(client, patient)

    assert "_auth_user_id" not in client.session
    response = client.get(reverse("clinic:patient_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
