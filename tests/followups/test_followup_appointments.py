"""A follow-up's appointment: no dosing record, cancelled and completed with the follow-up."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from followups.services import AlreadyBooked, follow_up_book
from scheduling.models import Appointment, SessionRecord
from tests.followups.factories import follow_up
from tests.scheduling.factories import at, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked_review(chair, monitor, iv_patient):
    """An in-person review booked in a chair next Monday at 11:00."""
    review = follow_up(patient=iv_patient, due_from=next_weekday(0), kind="in_person")
    follow_up_book(
        follow_up=review,
        starts_at=at(review.due_from, 11),
        clinician_id=monitor.pk,
        room_id=chair.pk,
        booked_by=monitor,
    )
    review.refresh_from_db()
    return review


def _move_to_the_past(appointment):
    starts = timezone.now() - datetime.timedelta(minutes=10)
    ends = starts + datetime.timedelta(minutes=30)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=starts, ends_at=ends, chair_until=ends
    )


def test_a_follow_up_appointment_has_no_session_record(client_for, nurse, booked_review):
    response = client_for(nurse).get(
        reverse("scheduling:session_record", args=[booked_review.appointment.pk])
    )

    assert response.status_code == 404


def test_posting_to_a_follow_up_session_record_creates_nothing(client_for, nurse, booked_review):
    response = client_for(nurse).post(
        reverse("scheduling:session_record_observe", args=[booked_review.appointment.pk])
    )

    assert response.status_code == 404
    assert not SessionRecord.objects.exists()


def test_a_follow_up_appointment_page_does_not_offer_a_session_record(
    client_for, nurse, booked_review
):
    response = client_for(nurse).get(booked_review.appointment.get_absolute_url())

    assert response.status_code == 200
    assert b"Session record" not in response.content
    assert b"minimum monitoring" not in response.content
    assert b"Check in" in response.content


def test_cancelling_a_booked_follow_up_cancels_its_appointment(client_for, nurse, booked_review):
    response = client_for(nurse).post(
        reverse("followups:follow_up_close", args=[booked_review.pk]), {"action": "cancel"}
    )

    assert response.status_code == 302
    booked_review.refresh_from_db()
    appointment = booked_review.appointment
    assert booked_review.cancelled_at is not None
    assert (appointment.status, appointment.cancel_reason) == (
        Appointment.Status.CANCELLED,
        Appointment.CancelReason.CLINIC,
    )


def test_a_follow_up_booked_for_later_cannot_be_marked_done(client_for, nurse, booked_review):
    response = client_for(nurse).post(
        reverse("followups:follow_up_close", args=[booked_review.pk]), {"action": "done"}
    )

    assert response.status_code == 302
    booked_review.refresh_from_db()
    assert booked_review.completed_at is None
    assert booked_review.appointment.status == Appointment.Status.BOOKED


def test_a_follow_up_is_marked_done_once_its_appointment_has_started(
    client_for, nurse, booked_review
):
    _move_to_the_past(booked_review.appointment)

    response = client_for(nurse).post(
        reverse("followups:follow_up_close", args=[booked_review.pk]), {"action": "done"}
    )

    assert response.status_code == 302
    booked_review.refresh_from_db()
    assert booked_review.completed_at is not None
    assert booked_review.appointment.status == Appointment.Status.COMPLETED


def test_an_unknown_close_action_is_refused(client_for, nurse, booked_review):
    _move_to_the_past(booked_review.appointment)

    response = client_for(nurse).post(
        reverse("followups:follow_up_close", args=[booked_review.pk]), {"action": "delete"}
    )

    assert response.status_code == 400
    booked_review.refresh_from_db()
    assert (booked_review.completed_at, booked_review.cancelled_at) == (None, None)
    assert booked_review.appointment.status == Appointment.Status.BOOKED


def test_completing_a_follow_up_before_its_appointment_raises(booked_review):
    with pytest.raises(ValidationError):
        booked_review.complete()

    booked_review.refresh_from_db()
    assert booked_review.completed_at is None


def test_a_follow_up_cannot_be_booked_twice_from_a_stale_copy(monitor, iv_patient):
    check_in = follow_up(patient=iv_patient, due_from=next_weekday(0), kind="phone")
    stale = FollowUp.objects.get(pk=check_in.pk)
    follow_up_book(
        follow_up=check_in,
        starts_at=at(check_in.due_from, 10),
        clinician_id=monitor.pk,
        booked_by=monitor,
    )

    with pytest.raises(AlreadyBooked):
        follow_up_book(
            follow_up=stale,
            starts_at=at(check_in.due_from, 14),
            clinician_id=monitor.pk,
            booked_by=monitor,
        )

    assert Appointment.objects.filter(patient=iv_patient).count() == 1


def test_the_patient_page_lists_a_phone_check_in_as_a_call(
    client_for, front_desk, monitor, iv_patient
):
    check_in = follow_up(patient=iv_patient, due_from=next_weekday(0), kind="phone")
    follow_up_book(
        follow_up=check_in,
        starts_at=at(check_in.due_from, 10),
        clinician_id=monitor.pk,
        booked_by=monitor,
    )

    response = client_for(front_desk).get(iv_patient.get_absolute_url())

    content = response.content.decode()
    assert "Phone check-in · phone · Booked" in " ".join(content.split())
    assert "IV infusion ·" not in content


def test_the_today_list_offers_no_session_record_for_a_follow_up(client_for, nurse, booked_review):
    appointment = booked_review.appointment
    _move_to_the_past(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CHECKED_IN)

    response = client_for(nurse).get(reverse("scheduling:today"))

    assert response.status_code == 200
    assert booked_review.patient.full_name in response.text
    assert reverse("scheduling:session_record", args=[appointment.pk]) not in response.text
