"""What the follow-up forms refuse: hostile or mistyped days, times and dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import OutcomeMeasure, Patient
from followups.models import FollowUp
from scheduling.models import Appointment
from tests.followups.factories import follow_up

pytestmark = pytest.mark.django_db

PHQ9_CALM = {f"item_{n}": "0" for n in range(1, 10)}


def days_from_today(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def next_monday():
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday():
        day += datetime.timedelta(days=1)
    return day.isoformat()


@pytest.mark.parametrize(
    ("day", "time"),
    [
        ("9999-12-31", "10:00"),
        ("9999-12-31", "23:55"),
        ("0001-01-01", "10:00"),
        (days_from_today(2 * 365), "10:00"),
        (days_from_today(367), "10:00"),
        (days_from_today(-1), "10:00"),
        (next_monday(), "10:03"),
        (next_monday(), "10:00:30"),
        (next_monday(), "25:00"),
        ("not a day", "10:00"),
        ("", ""),
    ],
)
def test_the_booking_form_refuses_a_bad_day_or_time(
    client_for, nurse, chair, monitor, iv_patient, day, time
):
    review = follow_up(patient=iv_patient, due_from=timezone.localdate())

    response = client_for(nurse).post(
        reverse("followups:follow_up_book", args=[review.pk]),
        {"day": day, "time": time, "clinician": monitor.pk, "room": chair.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    review.refresh_from_db()
    assert review.appointment is None
    assert not Appointment.objects.exists()


def test_the_booking_form_refuses_a_time_that_has_passed_today(nurse, chair, monitor, iv_patient):
    from followups.forms import FollowUpBookForm
    from followups.services import follow_up_route

    review = follow_up(patient=iv_patient, due_from=timezone.localdate())
    an_hour_ago = timezone.localtime() - datetime.timedelta(hours=1)
    if an_hour_ago.date() != timezone.localdate():
        pytest.skip("Just after midnight there is no earlier time today.")
    form = FollowUpBookForm(
        {
            "day": an_hour_ago.date().isoformat(),
            "time": f"{an_hour_ago:%H}:00",
            "clinician": monitor.pk,
            "room": chair.pk,
        },
        follow_up=review,
        route=follow_up_route(review),
    )

    assert not form.is_valid()
    assert form.errors["time"] == ["This time has passed."]


@pytest.mark.parametrize(
    ("due_from", "due_by"),
    [
        ("0001-01-01", "0001-01-07"),
        (days_from_today(-400), days_from_today(-390)),
        (days_from_today(7), "9999-12-31"),
        (days_from_today(7), days_from_today(3 * 365)),
        (days_from_today(14), days_from_today(7)),
        ("not a day", days_from_today(7)),
    ],
)
def test_a_follow_up_added_by_hand_refuses_a_bad_window(
    client_for, front_desk, provider, iv_patient, due_from, due_by
):
    response = client_for(front_desk).post(
        reverse("followups:follow_up_create", args=[iv_patient.pk]),
        {
            "kind": "booster",
            "due_from": due_from,
            "due_by": due_by,
            "provider": provider.pk,
            "note": "",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not FollowUp.objects.exists()


@pytest.fixture
def registered_patient(patient):
    """Born 1980-05-01, registered with the clinic on 2025-06-01."""
    registered = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    Patient.objects.filter(pk=patient.pk).update(
        date_of_birth=datetime.date(1980, 5, 1), created_at=registered
    )
    patient.refresh_from_db()
    return patient


@pytest.mark.parametrize(
    "taken_on",
    [
        "0001-01-01",
        "1980-04-30",
        "2024-05-31",
        days_from_today(1),
        "9999-12-31",
        "not a day",
    ],
)
def test_entering_scores_refuses_an_implausible_answer_date(
    client_for, nurse, registered_patient, taken_on
):
    response = client_for(nurse).post(
        reverse("followups:measure_create", args=[registered_patient.pk, "phq9"]),
        {**PHQ9_CALM, "taken_on": taken_on},
    )

    assert response.status_code == 200
    assert "taken_on" in response.context["form"].errors
    assert not OutcomeMeasure.objects.exists()


def test_scores_answered_a_year_before_registering_are_accepted(
    client_for, nurse, registered_patient
):
    response = client_for(nurse).post(
        reverse("followups:measure_create", args=[registered_patient.pk, "phq9"]),
        {**PHQ9_CALM, "taken_on": "2024-06-01"},
    )

    assert response.status_code == 302
    assert OutcomeMeasure.objects.get(patient=registered_patient).taken_at.date() == (
        datetime.date(2024, 6, 1)
    )


def test_scores_before_the_patient_was_born_get_a_plain_message(
    client_for, nurse, registered_patient
):
    response = client_for(nurse).post(
        reverse("followups:measure_create", args=[registered_patient.pk, "phq9"]),
        {**PHQ9_CALM, "taken_on": "1970-01-01"},
    )

    assert response.context["form"].errors["taken_on"] == [
        "The date is before the patient was born; please check it."
    ]
