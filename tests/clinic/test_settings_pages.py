"""The clinic settings pages for the frequent tasks, as a clinic admin uses them."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Closure, OpeningHours, Room, Route, User
from scheduling.models import Appointment, ClinicianHours
from tests.factories import RoomFactory, UserFactory
from tests.scheduling.factories import (
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
    open_clinic,
)
from tests.two_factor import app_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for, clinic_admin):
    return client_for(clinic_admin)


def test_the_settings_page_offers_the_frequent_tasks_and_the_rest(admin_client):
    response = admin_client.get(reverse("clinic:settings"))

    for title in ("Chairs and rooms", "Opening hours", "Closures", "Staff"):
        assert title in response.text
    assert reverse("admin:index") in response.text
    assert f'href="{reverse("clinic:settings")}"' in response.text  # the menu's own item


def test_a_nurse_is_offered_no_settings(client_for, nurse):
    client = client_for(nurse)
    assert client.get(reverse("clinic:settings")).status_code == 403
    assert "Clinic settings" not in client.get(reverse("home")).text


def test_an_admin_adds_a_chair_with_its_routes_and_turnover(admin_client, clinic_admin):
    iv = Route.objects.get(code="iv")
    response = admin_client.post(
        reverse("clinic:settings_room_new"),
        {"name": "Chair 9", "routes": [iv.pk], "turnover_minutes": "15", "active": "on"},
    )

    assert response.status_code == 302
    room = Room.objects.get(name="Chair 9")
    assert (list(room.routes.all()), room.turnover_minutes) == ([iv], 15)
    assert {entry.history_user for entry in room.history.all()} == {clinic_admin}
    assert "Chair 9" in admin_client.get(reverse("clinic:settings_rooms")).text


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"name": "", "turnover_minutes": "10"}, "This field is required"),
        ({"name": "X", "turnover_minutes": "600"}, "less than or equal to 60"),
        ({"name": "X", "turnover_minutes": "-1"}, "greater than or equal to 0"),
        ({"name": "X\u202e", "turnover_minutes": "10"}, "hidden or unreadable characters"),
        ({"name": "X", "turnover_minutes": "10", "routes": ["999999"]}, "Select a valid choice"),
    ],
)
def test_a_wrong_chair_is_explained_and_kept(admin_client, data, said):
    response = admin_client.post(reverse("clinic:settings_room_new"), data)

    assert response.status_code == 200
    assert said in response.text
    assert not Room.objects.filter(name__startswith="X").exists()


@pytest.fixture
def booked_monday_afternoon(db):
    open_clinic()
    monday = next_weekday(0)
    session = book(
        patient=cleared_patient("iv"),
        room=chair_for("iv", name="Chair 1"),
        clinician=clinician_with_hours(),
        starts_at=at(monday, 15),
    )
    return session


def test_shorter_hours_list_the_sessions_left_outside_then_mark_them_to_rebook(
    admin_client, booked_monday_afternoon
):
    url = reverse("clinic:settings_hours_edit", args=[0])
    shorter = {"opens_at": "08:00", "closes_at": "13:00"}

    refused = admin_client.post(url, shorter)
    assert "1 booked session(s) would fall outside" in refused.text
    assert OpeningHours.objects.get(weekday=0).closes_at == datetime.time(18)

    admin_client.post(url, shorter | {"save_anyway": "on"})
    assert OpeningHours.objects.get(weekday=0).closes_at == datetime.time(13)
    booked_monday_afternoon.refresh_from_db()
    assert booked_monday_afternoon.needs_rebooking


def test_a_weekday_closed_all_day_removes_its_hours(admin_client, db):
    open_clinic()
    admin_client.post(reverse("clinic:settings_hours_edit", args=[2]), {"closed": "on"})
    assert not OpeningHours.objects.filter(weekday=2).exists()
    assert "Closed" in admin_client.get(reverse("clinic:settings_hours")).text


def test_hours_that_close_before_they_open_are_refused(admin_client, db):
    open_clinic()
    response = admin_client.post(
        reverse("clinic:settings_hours_edit", args=[1]), {"opens_at": "12:00", "closes_at": "09:00"}
    )
    assert "The closing time must be after the opening time." in response.text


def test_a_closure_over_a_booked_day_needs_a_confirmation_and_can_be_removed(
    admin_client, booked_monday_afternoon
):
    day = booked_monday_afternoon.starts_at.date().isoformat()
    closure = {"starts_on": day, "ends_on": day, "reason": "Staff training"}

    refused = admin_client.post(reverse("clinic:settings_closures"), closure)
    assert "would fall outside" in refused.text
    assert not Closure.objects.exists()

    admin_client.post(reverse("clinic:settings_closures"), closure | {"save_anyway": "on"})
    saved = Closure.objects.get()
    assert Appointment.objects.get().needs_rebooking
    admin_client.post(reverse("clinic:settings_closure_delete", args=[saved.pk]))
    assert not Closure.objects.exists()


def test_a_new_staff_member_gets_a_role_and_an_email_to_choose_a_password(admin_client):
    response = admin_client.post(
        reverse("clinic:settings_staff_new"),
        {
            "first_name": "Ola",
            "last_name": "Berg",
            "email": "ola@clinic.test",
            "role": "Nurse",
            "is_active": "on",
        },
    )

    ola = User.objects.get(email="ola@clinic.test")
    assert response.url == reverse("clinic:settings_staff_edit", args=[ola.pk])
    assert [group.name for group in ola.groups.all()] == ["Nurse"]
    assert ola.has_usable_password()
    assert mail.outbox[-1].to == ["ola@clinic.test"]


def test_an_email_already_used_in_another_case_is_refused(admin_client, nurse):
    response = admin_client.post(
        reverse("clinic:settings_staff_new"),
        {"first_name": "A", "last_name": "B", "email": nurse.email.upper(), "role": "Nurse"},
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact=nurse.email).count() == 1


def test_a_clinicians_role_and_working_hours_are_set_on_one_page(admin_client, db):
    nina = clinician_with_hours(email="nina@clinic.test", first_name="Nina")
    url = reverse("clinic:settings_staff_edit", args=[nina.pk])
    page = admin_client.get(url)
    assert "Working hours" in page.text

    data = {
        "first_name": "Nina",
        "last_name": nina.last_name,
        "email": nina.email,
        "role": "Provider",
        "is_active": "on",
        "hours-works_0": "on",
        "hours-from_0": "09:00",
        "hours-to_0": "17:00",
        "hours-works_2": "on",
        "hours-from_2": "10:00",
        "hours-to_2": "16:00",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert [g.name for g in nina.groups.all()] == ["Provider"]
    hours = {
        h.weekday: (h.starts_at, h.ends_at) for h in ClinicianHours.objects.filter(clinician=nina)
    }
    assert hours == {
        0: (datetime.time(9), datetime.time(17)),
        2: (datetime.time(10), datetime.time(16)),
    }
    assert (
        "Mon 9:00–17:00, Wed 10:00–16:00" in admin_client.get(reverse("clinic:settings_staff")).text
    )


def test_working_hours_that_end_before_they_start_keep_everything_typed(admin_client, db):
    nina = clinician_with_hours(email="nina@clinic.test", first_name="Nina")
    before = ClinicianHours.objects.filter(clinician=nina).count()
    response = admin_client.post(
        reverse("clinic:settings_staff_edit", args=[nina.pk]),
        {
            "first_name": "Nina Renamed",
            "last_name": nina.last_name,
            "email": nina.email,
            "role": "Nurse",
            "is_active": "on",
            "hours-works_0": "on",
            "hours-from_0": "17:00",
            "hours-to_0": "09:00",
        },
    )
    assert "The end must be after the start." in response.text
    assert 'value="Nina Renamed"' in response.text
    nina.refresh_from_db()
    assert nina.first_name == "Nina"
    assert ClinicianHours.objects.filter(clinician=nina).count() == before


def test_an_admin_resets_a_lost_phones_two_factor_login(admin_client, nurse):
    app_device(nurse)
    admin_client.post(reverse("clinic:settings_staff_reset_two_factor", args=[nurse.pk]))
    nurse.refresh_from_db()
    assert nurse.two_factor_reset_at is not None
    assert not nurse.totpdevice_set.exists()


def test_a_superusers_page_is_a_superusers(admin_client, db):
    boss = UserFactory(is_superuser=True, is_staff=True)
    assert (
        admin_client.get(reverse("clinic:settings_staff_edit", args=[boss.pk])).status_code == 403
    )


def test_the_lists_read_the_same_number_of_queries_however_many_rows(admin_client, db):
    def queries(url):
        admin_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(url)
        return len(captured.captured_queries)

    urls = [reverse("clinic:settings_rooms"), reverse("clinic:settings_staff")]
    clinician_with_hours()
    RoomFactory()
    before = [queries(url) for url in urls]
    for _ in range(5):
        clinician_with_hours()
        chair_for("iv", "im")
    assert [queries(url) for url in urls] == before
    assert before == [9, 11]
