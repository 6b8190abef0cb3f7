"""A closure or new opening hours over booked sessions: listed, confirmed, then on the
worklist to rebook until each is moved or cancelled."""

import datetime

import pytest
from django.urls import reverse

from clinic.models import Closure, OpeningHours
from scheduling.models import Appointment
from tests.scheduling.factories import at, book, cleared_patient, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(chair, monitor):
    """A session at 4 PM on the coming Monday."""
    return book(
        patient=cleared_patient("iv", legal_first_name="Robin", legal_last_name="Lee"),
        room=chair,
        clinician=monitor,
        starts_at=at(next_weekday(0), 16),
    )


def closure_form(day, **extra):
    return {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "Training", **extra}


def test_a_closure_over_a_booked_session_lists_it_and_saves_nothing(
    client_for, clinic_admin, booked
):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_closure_add"), closure_form(next_weekday(0))
    )

    assert response.status_code == 200
    assert "1 booked session(s) would fall outside the clinic" in response.text
    assert "Robin Lee" in response.text
    assert 'value="Training"' in response.text  # what was typed is kept
    assert not Closure.objects.exists()
    booked.refresh_from_db()
    assert not booked.needs_rebooking


def test_saved_anyway_the_session_is_on_the_worklist_until_it_is_moved(
    client_for, clinic_admin, front_desk, booked, chair, monitor
):
    monday = next_weekday(0)
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_closure_add"), closure_form(monday, save_anyway="on"), follow=True
    )

    assert Closure.objects.filter(starts_on=monday).exists()
    assert "1 booked session(s) are on the worklist to rebook." in response.text
    booked.refresh_from_db()
    assert booked.needs_rebooking
    assert booked.history.first().needs_rebooking  # audited: who marked it, when

    client = client_for(front_desk)
    worklist = client.get(reverse("followups:worklist"), {"section": "to_rebook"})
    assert "Sessions to rebook (1)" in worklist.text
    assert "Robin Lee" in worklist.text

    tuesday = monday + datetime.timedelta(days=1)
    client.post(
        reverse("scheduling:appointment_reschedule", args=[booked.pk]),
        {"day": tuesday.isoformat(), "time": "10:00", "room": chair.pk, "clinician": monitor.pk},
    )

    booked.refresh_from_db()
    assert booked.starts_at == at(tuesday, 10)
    assert not booked.needs_rebooking
    worklist = client.get(reverse("followups:worklist"), {"section": "to_rebook"})
    assert "Sessions to rebook (0)" in worklist.text


def test_a_closure_on_a_free_day_saves_without_asking(client_for, clinic_admin, booked):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_closure_add"),
        closure_form(next_weekday(0) + datetime.timedelta(days=1)),
    )

    assert response.status_code == 302
    assert Closure.objects.count() == 1


def test_shorter_opening_hours_list_the_sessions_left_outside(client_for, clinic_admin, booked):
    monday = OpeningHours.objects.get(weekday=0)
    url = reverse("admin:clinic_openinghours_change", args=[monday.pk])
    shorter = {"weekday": "0", "opens_at": "08:00", "closes_at": "15:00"}
    client = client_for(clinic_admin)

    refused = client.post(url, shorter)

    assert "1 booked session(s) would fall outside the clinic" in refused.text
    monday.refresh_from_db()
    assert monday.closes_at == datetime.time(18)

    client.post(url, {**shorter, "save_anyway": "on"})

    monday.refresh_from_db()
    assert monday.closes_at == datetime.time(15)
    assert Appointment.objects.get(pk=booked.pk).needs_rebooking


def test_a_cancelled_session_leaves_the_list(client_for, clinic_admin, booked):
    booked.mark_to_rebook()
    booked.cancel(reason=Appointment.CancelReason.CLINIC)

    response = client_for(clinic_admin).get(reverse("followups:worklist"), {"section": "to_rebook"})

    assert "Sessions to rebook (0)" in response.text


def test_deleting_a_weekdays_hours_from_the_list_marks_its_sessions(
    client_for, clinic_admin, booked
):
    monday = OpeningHours.objects.get(weekday=0)

    client_for(clinic_admin).post(
        reverse("admin:clinic_openinghours_changelist"),
        {"action": "delete_selected", "_selected_action": [monday.pk], "post": "yes"},
    )

    assert not OpeningHours.objects.filter(weekday=0).exists()
    assert Appointment.objects.get(pk=booked.pk).needs_rebooking
