"""Hostile input: a plain page or a form message, never a server error or hidden characters."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import Patient
from clinic.validators import (
    validate_plain_multiline_text,
    validate_plain_text,
    validate_plausible_birth_date,
)
from scheduling.models import Protocol
from scheduling.models.protocols import default_follow_ups
from tests.scheduling.factories import cleared_patient

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "legal_first_name": "Jordan",
    "legal_last_name": "Taylor",
    "date_of_birth": "1993-09-12",
    "phone": "(415) 555-0123",
    "preferred_language": "English",
}
HIDDEN = [
    "\x1b[31mRed",  # an ESC sequence
    "Ann\u202egro",  # right-to-left override
    "Ann\u2066x\u2069",  # isolates
    "Ann\ufffd",  # the replacement character: something was lost on the way
    "Ann\x7f",
    "An\x85n",  # a C1 control (at the end it would be stripped as white space)
    "Ann\tLee",  # a tab in a one-line box
]
PLAIN = ["Zoë O'Brien-Nguyễn", "山田 花子", "محمد", "Ann 🙂", "Mary-Kate  St. John"]


def test_a_nul_byte_in_a_query_string_is_refused_with_a_plain_page(client_for, front_desk):
    response = client_for(front_desk).get(reverse("clinic:patient_list"), {"page": "1\x00"})

    assert response.status_code == 400
    assert "hidden character" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_refused_and_nothing_is_stored(client_for, front_desk):
    data = {**NEW_PATIENT, "legal_first_name": "Jor\x00dan"}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 400
    assert not Patient.objects.exists()


def test_a_nul_byte_in_a_field_name_is_refused(client_for, front_desk):
    data = {**NEW_PATIENT, "\x00": "x"}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 400
    assert not Patient.objects.exists()


def test_a_nul_byte_in_the_route_of_the_booking_page_is_refused(client_for, front_desk):
    patient = cleared_patient("iv")
    url = reverse("scheduling:appointment_create", args=[patient.pk])

    response = client_for(front_desk).get(url, {"route": "iv\x00"})

    assert response.status_code == 400


def test_a_nul_byte_on_a_patient_page_is_refused(client, db):
    response = client.get(reverse("intake:welcome"), {"x": "\x00"})

    assert response.status_code == 400


@pytest.mark.parametrize("text", HIDDEN)
def test_hidden_characters_are_refused_in_one_line_text(text):
    with pytest.raises(ValidationError) as refused:
        validate_plain_text(text)

    assert refused.value.code == "invisible_characters"


@pytest.mark.parametrize("text", PLAIN)
def test_names_in_any_script_are_plain_text(text):
    validate_plain_text(text)


def test_multi_line_text_keeps_its_tabs_and_line_breaks():
    validate_plain_multiline_text("Called the patient.\r\n\tSafety plan reviewed.\n")


@pytest.mark.parametrize("text", ["Called\u202e", "Called\x1b[0m", "Called\ufffd"])
def test_multi_line_text_refuses_hidden_characters(text):
    with pytest.raises(ValidationError):
        validate_plain_multiline_text(text)


@pytest.mark.parametrize("text", HIDDEN)
def test_registering_a_patient_with_a_hidden_character_is_explained(client_for, front_desk, text):
    data = {**NEW_PATIENT, "legal_last_name": text}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 200
    assert "Please remove the hidden or unreadable characters" in response.content.decode()
    assert not Patient.objects.exists()


def test_a_staff_name_with_a_hidden_character_is_refused_in_clinic_settings(
    client_for, clinic_admin
):
    url = reverse("admin:clinic_user_change", args=[clinic_admin.pk])
    data = {
        "email": clinic_admin.email,
        "first_name": "Sam\u202e",
        "last_name": "Lee",
        "is_active": "on",
        "groups": [g.pk for g in clinic_admin.groups.all()],
    }

    response = client_for(clinic_admin).post(url, data)

    assert response.status_code == 200
    assert "Please remove the hidden or unreadable characters" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert clinic_admin.first_name == "Sam"


@pytest.mark.parametrize(
    "born",
    [datetime.date(1899, 12, 31), datetime.date(1900, 1, 1), datetime.date(1905, 6, 1)],
)
def test_a_date_of_birth_more_than_120_years_ago_is_refused(born):
    with (
        time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)),
        pytest.raises(ValidationError) as refused,
    ):
        validate_plausible_birth_date(born)

    assert "older than 120" in refused.value.messages[0]


def test_a_person_aged_120_can_be_registered():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        validate_plausible_birth_date(datetime.date(1906, 6, 1))


def test_registering_a_patient_born_in_1900_is_explained(client_for, front_desk):
    data = {**NEW_PATIENT, "date_of_birth": "1900-01-01"}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 200
    assert "Please check the year of birth" in response.content.decode()
    assert not Patient.objects.exists()


def protocol_form(**overrides):
    protocol = Protocol.objects.get(name="IV induction")
    return {
        "name": protocol.name,
        "route": protocol.route_id,
        "session_count": protocol.session_count,
        "minimum_hours_between": protocol.minimum_hours_between,
        "phases": '[{"weeks": 2, "per_week": 3}]',
        "description": "",
        "active": "on",
        "follow_ups": '[{"weeks": 1, "kind": "post_series"}]',
        "follow_up_window_days": 7,
        "questionnaire_before_session": "on",
        "questionnaire_every_days": 14,
        "rebook_within_days": 14,
        **overrides,
    }


def test_an_empty_follow_ups_box_in_clinic_settings_is_explained(client_for, clinic_admin):
    protocol = Protocol.objects.get(name="IV induction")
    url = reverse("admin:scheduling_protocol_change", args=[protocol.pk])

    response = client_for(clinic_admin).post(url, protocol_form(follow_ups=""))

    assert response.status_code == 200
    assert "Write the follow-ups as a list" in response.content.decode()
    protocol.refresh_from_db()
    assert protocol.follow_ups == default_follow_ups()


def test_no_follow_ups_are_written_as_an_empty_list(client_for, clinic_admin):
    protocol = Protocol.objects.get(name="IV induction")
    url = reverse("admin:scheduling_protocol_change", args=[protocol.pk])

    response = client_for(clinic_admin).post(url, protocol_form(follow_ups="[]"))

    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.follow_ups == []
