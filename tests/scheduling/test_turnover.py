"""Chair turnover: after each session its chair is cleaned and made ready, and cannot be
booked until the room's turnover has passed."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import Room, Route
from scheduling.booking import SlotTaken, appointment_reschedule, slot_for
from scheduling.models import Appointment
from scheduling.planner import load_calendar
from tests.scheduling.factories import (
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def turnover_chair(clinic_open):
    """An IV chair with a 10-minute turnover: a session ending 9:55 frees it at 10:05."""
    return chair_for("iv", name="Chair with turnover", turnover_minutes=10)


def test_a_new_room_has_a_ten_minute_turnover(db):
    assert Room.objects.create(name="New chair").turnover_minutes == 10


def test_a_session_holds_its_chair_until_the_turnover_ends(turnover_chair, monitor, monday):
    session = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )

    session.refresh_from_db()
    assert session.turnover_minutes == 10
    assert session.chair_until == at(monday, 9, 55) + datetime.timedelta(minutes=10)


def test_a_booking_inside_the_turnover_is_refused_and_one_after_it_is_taken(
    turnover_chair, monitor, monday
):
    book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    other_monitor = clinician_with_hours()

    with pytest.raises(SlotTaken) as refused:
        book(
            patient=cleared_patient("iv"),
            room=turnover_chair,
            clinician=other_monitor,
            starts_at=at(monday, 10),
        )
    assert "Chair with turnover is booked 8:00–9:55 AM." in refused.value.conflicts[0].message

    later = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=other_monitor,
        starts_at=at(monday, 10, 5),
    )
    assert later.starts_at == at(monday, 10, 5)


def test_a_session_cannot_end_inside_the_turnover_of_the_next_one_either(
    turnover_chair, monitor, monday
):
    """The turnover follows the earlier session: one ending 9:55 blocks a 10:00 start."""
    book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 10),
    )
    with pytest.raises(SlotTaken):
        book(
            patient=cleared_patient("iv"),
            room=turnover_chair,
            clinician=clinician_with_hours(),
            starts_at=at(monday, 8, 5),  # ends 10:00, its turnover runs to 10:10
        )


def test_the_planner_offers_the_chair_again_only_after_the_turnover(
    turnover_chair, monitor, monday
):
    book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    iv = Route.objects.get(code="iv")
    calendar = load_calendar(route=iv, first_day=monday, last_day=monday)

    slots = calendar.day_slots(
        monday,
        patient_id=cleared_patient("iv").pk,
        duration=datetime.timedelta(minutes=iv.session_minutes),
        not_before=at(monday, 9, 55),
    )

    # The planner steps every 15 minutes: 10:00 falls in the turnover, 10:15 is free.
    assert next(slots).starts_at == at(monday, 10, 15)


def test_another_chair_is_free_at_once(turnover_chair, monitor, monday):
    book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    other_chair = chair_for("iv", name="Second chair", turnover_minutes=10)
    session = book(
        patient=cleared_patient("iv"),
        room=other_chair,
        clinician=clinician_with_hours(),
        starts_at=at(monday, 9, 55),
    )
    assert session.room == other_chair


def test_a_moved_session_takes_the_new_chairs_turnover(turnover_chair, monitor, monday):
    session = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    long_chair = chair_for("iv", name="Chair cleaned at length", turnover_minutes=25)

    appointment_reschedule(
        appointment=session,
        starts_at=at(monday, 13),
        room_id=long_chair.pk,
        clinician_id=monitor.pk,
    )

    session.refresh_from_db()
    assert (session.room, session.turnover_minutes) == (long_chair, 25)
    assert session.chair_until == at(monday, 14, 55) + datetime.timedelta(minutes=25)


def test_changing_a_rooms_turnover_leaves_booked_sessions_as_booked(
    turnover_chair, monitor, monday
):
    session = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    Room.objects.filter(pk=turnover_chair.pk).update(turnover_minutes=30)

    session.refresh_from_db()
    assert session.turnover_minutes == 10


@pytest.mark.postgres_only
def test_the_database_refuses_a_booking_inside_anothers_turnover(turnover_chair, monitor, monday):
    first = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    second = Appointment.session_of(
        route=first.route,
        starts_at=at(monday, 10),
        turnover_minutes=10,
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=clinician_with_hours(),
        booked_by=monitor,
    )
    with (
        pytest.raises(IntegrityError, match="appointment_no_double_booked_room"),
        transaction.atomic(),
    ):
        second.save()


@pytest.mark.postgres_only
def test_the_database_keeps_the_chair_held_until_the_end_of_the_turnover(
    turnover_chair, monitor, monday
):
    session = book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )
    with (
        pytest.raises(IntegrityError, match="appointment_chair_until_after_turnover"),
        transaction.atomic(),
    ):
        Appointment.objects.filter(pk=session.pk).update(chair_until=session.ends_at)


def test_the_day_grid_draws_the_turnover_and_says_when_the_chair_is_ready(
    client_for, front_desk, turnover_chair, monitor, monday
):
    book(
        patient=cleared_patient("iv"),
        room=turnover_chair,
        clinician=monitor,
        starts_at=at(monday, 8),
    )

    response = client_for(front_desk).get(reverse("scheduling:day"), {"date": monday.isoformat()})

    assert "chair ready 10:05" in response.text
    assert 'class="turnover"' in response.text
    assert "gs-9" in response.text  # 8:00 to 10:05 spans nine 15-minute rows


def test_a_slot_for_a_session_is_the_sessions_own_length(turnover_chair, monitor, monday):
    """The turnover is the chair's, not the patient's or the clinician's time."""
    iv = Route.objects.get(code="iv")
    slot = slot_for(route=iv, starts_at=at(monday, 8), room_id=turnover_chair.pk, clinician_id=1)
    assert slot.ends_at - slot.starts_at == datetime.timedelta(minutes=iv.session_minutes)
