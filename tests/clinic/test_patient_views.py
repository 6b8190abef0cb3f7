import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Patient, PatientStatus
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "legal_first_name": "Jordan",
    "legal_last_name": "Taylor",
    "date_of_birth": "1993-09-12",
    "phone": "(415) 555-0123",
    "email": "jordan@example.com",
    "preferred_language": "English",
}


def test_front_desk_registers_a_patient(client_for, front_desk):
    client = client_for(front_desk)

    response = client.post(reverse("clinic:patient_create"), NEW_PATIENT)

    patient = Patient.objects.get(legal_last_name="Taylor")
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url()
    assert patient.status == PatientStatus.REFERRED
    assert patient.phone == "4155550123"


def test_registering_records_who_did_it_in_the_audit_trail(client_for, front_desk):
    client_for(front_desk).post(reverse("clinic:patient_create"), NEW_PATIENT)

    record = Patient.objects.get(legal_last_name="Taylor").history.get()
    assert record.history_type == "+"
    assert record.history_user == front_desk


def test_errors_are_explained_and_typed_answers_kept(client_for, front_desk):
    data = {**NEW_PATIENT, "date_of_birth": "2999-01-01", "phone": "12"}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 200
    assert b"The date of birth cannot be in the future." in response.content
    assert b"Enter a phone number with its area code" in response.content
    assert b'value="Jordan"' in response.content
    assert b'value="jordan@example.com"' in response.content
    assert not Patient.objects.exists()


def test_a_likely_duplicate_is_flagged_before_it_is_created(client_for, front_desk):
    existing = PatientFactory(
        legal_first_name="Jordan",
        legal_last_name="Taylor",
        date_of_birth=datetime.date(1993, 9, 12),
    )

    response = client_for(front_desk).post(reverse("clinic:patient_create"), NEW_PATIENT)

    assert response.status_code == 200
    assert b"already registered" in response.content
    assert existing.mrn.encode() in response.content
    assert Patient.objects.count() == 1


def test_a_confirmed_different_person_with_the_same_name_is_created(client_for, front_desk):
    PatientFactory(
        legal_first_name="Jordan",
        legal_last_name="Taylor",
        date_of_birth=datetime.date(1993, 9, 12),
    )
    data = {**NEW_PATIENT, "confirm_not_duplicate": "on"}

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    assert response.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 5000,
        "<script>alert(1)</script>",
        "'; DROP TABLE clinic_patient; --",
        "名前 🙂 \u202e",
        "\x00",
    ],
)
def test_hostile_input_never_breaks_the_form(client_for, front_desk, hostile):
    data = dict.fromkeys(NEW_PATIENT, hostile)

    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)

    # A NUL byte is refused before any form sees it (clinic.middleware).
    assert response.status_code == (400 if "\x00" in hostile else 200)
    assert b"<script>alert(1)</script>" not in response.content
    assert not Patient.objects.exists()


def test_front_desk_edits_a_patient_and_the_change_is_audited(client_for, front_desk, patient):
    data = {**NEW_PATIENT, "legal_first_name": patient.legal_first_name, "phone": "4155559999"}

    response = client_for(front_desk).post(
        reverse("clinic:patient_update", args=[patient.pk]), data
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "4155559999"
    latest = patient.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == front_desk


def test_editing_does_not_warn_the_patient_is_their_own_duplicate(client_for, front_desk):
    patient = PatientFactory(**{**NEW_PATIENT, "date_of_birth": datetime.date(1993, 9, 12)})

    response = client_for(front_desk).post(
        reverse("clinic:patient_update", args=[patient.pk]), NEW_PATIENT
    )

    assert response.status_code == 302


def test_the_patient_page_shows_the_record(client_for, nurse, patient):
    response = client_for(nurse).get(patient.get_absolute_url())

    assert response.status_code == 200
    assert patient.mrn.encode() in response.content
    assert b"Alex Morgan" in response.content


def test_an_unknown_patient_is_not_found(client_for, nurse):
    response = client_for(nurse).get(reverse("clinic:patient_detail", args=[999999]))

    assert response.status_code == 404


def test_the_change_history_names_who_changed_what(client_for, front_desk, clinic_admin, patient):
    data = {**NEW_PATIENT, "legal_first_name": "Alex", "legal_last_name": "Morgan-Lee"}
    client_for(front_desk).post(reverse("clinic:patient_update", args=[patient.pk]), data)

    response = client_for(clinic_admin).get(reverse("clinic:patient_history", args=[patient.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Maria" in content
    assert "Legal last name" in content
    assert "Morgan-Lee" in content


def test_admins_see_the_history_link_and_others_do_not(client_for, clinic_admin, nurse, patient):
    history_url = reverse("clinic:patient_history", args=[patient.pk]).encode()

    assert history_url in client_for(clinic_admin).get(patient.get_absolute_url()).content
    assert history_url not in client_for(nurse).get(patient.get_absolute_url()).content


class TestPatientList:
    def test_the_search_is_kept_out_of_the_url(self, client_for, front_desk, patient):
        client = client_for(front_desk)

        response = client.post(reverse("clinic:patient_list"), {"q": "Morgan"})

        assert response.status_code == 302
        assert response.url == reverse("clinic:patient_list")
        page = client.get(response.url)
        assert list(page.context["page"].object_list) == [patient]
        assert b"1 patient match" in page.content

    def test_show_all_clears_the_search(self, client_for, front_desk, patient):
        client = client_for(front_desk)
        PatientFactory()
        client.post(reverse("clinic:patient_list"), {"q": "Morgan"})

        client.post(reverse("clinic:patient_list"), {"q": ""})

        assert client.get(reverse("clinic:patient_list")).context["page"].paginator.count == 2

    def test_results_are_paginated(self, client_for, front_desk):
        PatientFactory.create_batch(30)
        client = client_for(front_desk)

        first = client.get(reverse("clinic:patient_list"))
        second = client.get(reverse("clinic:patient_list") + "?page=2")

        assert len(first.context["page"].object_list) == 25
        assert len(second.context["page"].object_list) == 5
        assert b"Page 1 of 2" in first.content

    def test_a_nonsense_page_number_shows_a_page(self, client_for, front_desk):
        response = client_for(front_desk).get(reverse("clinic:patient_list") + "?page=abc")

        assert response.status_code == 200

    def test_nurses_do_not_get_the_register_button(self, client_for, nurse):
        response = client_for(nurse).get(reverse("clinic:patient_list"))

        assert reverse("clinic:patient_create").encode() not in response.content

    def test_queries_do_not_grow_with_the_number_of_patients(self, client_for, front_desk):
        client = client_for(front_desk)
        url = reverse("clinic:patient_list")
        PatientFactory.create_batch(10)
        client.get(url)  # the session, the clinic settings, the account's access
        with CaptureQueriesContext(connection) as with_10:
            client.get(url)
        PatientFactory.create_batch(190)

        with CaptureQueriesContext(connection) as with_200:
            response = client.get(url)

        assert response.context["page"].paginator.count == 200
        assert len(with_200) == len(with_10) <= 12


def test_the_home_page_counts_patients_by_status(client_for, front_desk):
    PatientFactory.create_batch(2, status=PatientStatus.CLEARED)

    response = client_for(front_desk).get(reverse("home"))

    counts = {label: count for label, count, _ in response.context["status_counts"]}
    assert counts["Cleared for treatment"] == 2
    assert counts["Referred"] == 0


def test_navigation_offers_only_what_the_role_may_use(client_for, nurse, clinic_admin):
    nurse_menu = [item["label"] for item in client_for(nurse).get("/").context["navigation"]]
    admin_menu = [item["label"] for item in client_for(clinic_admin).get("/").context["navigation"]]

    assert "Clinic settings" not in nurse_menu
    assert "Clinic settings" in admin_menu


def test_the_change_history_shows_route_clearance_changes(client_for, clinic_admin, patient):
    patient.cleared_routes.set(["iv"])
    patient.save()
    patient.cleared_routes.set(["iv", "intranasal"])
    patient.save()

    response = client_for(clinic_admin).get(reverse("clinic:patient_history", args=[patient.pk]))

    assert "“IV infusion” → “IV infusion, Intranasal esketamine”" in response.content.decode()


def test_the_change_history_costs_the_same_queries_for_2_or_12_changes(
    client_for, clinic_admin, patient
):
    client = client_for(clinic_admin)
    url = reverse("clinic:patient_history", args=[patient.pk])
    patient.cleared_routes.set(["iv"])
    patient.save()
    client.get(url)  # the session, the clinic settings, the account's access
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(10):
        patient.phone = f"41555501{index:02d}"
        patient.cleared_routes.set(["iv"] if index % 2 else ["iv", "im"])
        patient.save()

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["changes"]) > 12
    assert len(many) == len(few)
