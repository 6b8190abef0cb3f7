"""The scale data's timetable (scheduling/scale.py, scale_timetable.py) against the demo's
bookings."""

import pytest

from clinic.models import Clinic

pytestmark = pytest.mark.django_db


def test_a_booking_s_chair_turnover_keeps_the_next_slot_of_its_chair_out_of_the_timetable(
    chair, monitor, iv_patient
):
    """The demo's bookings hold their chairs until the end of their turnover: a scale slot
    starting when one ends would be refused by the database (seen at one hour of the day)."""
    from types import SimpleNamespace

    from scheduling.scale import _timetable
    from tests.scheduling.factories import at, book, clinician_with_hours, next_weekday

    chair.turnover_minutes = 10
    chair.save()
    day = next_weekday(1)
    booked = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(day, 8))
    assert booked.chair_until > booked.ends_at
    zone = Clinic.load().zone
    context = SimpleNamespace(
        room_ids=[chair.pk], seed=1, zone=zone, capacity=2, first_day=day, last_day=day
    )

    other = clinician_with_hours(email="other@clinic.test")  # the monitor keeps to the demo's
    timetable = _timetable(context, {other.pk: {day}})

    starts = {start for free in timetable.sessions.values() for start, room, _ in free}
    assert starts  # the afternoon is free
    assert all(start >= booked.chair_until for start in starts)
