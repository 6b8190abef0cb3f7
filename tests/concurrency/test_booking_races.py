"""Simultaneous bookings of one chair or one clinician (pretix style).

Each control first shows the race happening without the guard, so that the
guarded test proves the guard, not luck. PostgreSQL only: SQLite serialises
writers and has no exclusion constraints.
"""

import datetime
import threading
import time

import pytest
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import connection
from django.test import Client
from django.urls import reverse

from clinic.roles import Role
from scheduling import booking
from scheduling.constraints import TsTzRange
from scheduling.models import Appointment
from tests.factories import UserFactory
from tests.scheduling.factories import (
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
    open_clinic,
)
from tests.two_factor import log_in_verified

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_at_once(functions):
    """Run each function in its own thread, released together; return their results."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the window between the availability check and the insert."""
    original = booking._check_slots

    def check_then_pause(**kwargs):
        conflicts = original(**kwargs)
        time.sleep(0.3)
        return conflicts

    monkeypatch.setattr(booking, "_check_slots", check_then_pause)


def booking_request(client, patient, room, clinician, day, time="09:00"):
    def post():
        return client.post(
            reverse("scheduling:appointment_create", args=[patient.pk]),
            {
                "route": "iv",
                "day": day.isoformat(),
                "time": time,
                "room": room.pk,
                "clinician": clinician.pk,
            },
        )

    return post


def front_desk_clients(count):
    maria = UserFactory(role=Role.FRONT_DESK)
    clients = []
    for _ in range(count):
        client = Client()
        log_in_verified(client, maria)
        clients.append(client)
    return clients


def test_eight_requests_for_one_chair_book_it_once(slow_check):
    open_clinic()
    chair = chair_for("iv", name="Chair 1")
    monday = next_weekday(0)
    requests = [
        booking_request(client, cleared_patient("iv"), chair, clinician_with_hours(), monday)
        for client in front_desk_clients(THREADS)
    ]

    responses = run_at_once(requests)

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        assert "This time cannot be booked" in refused.text
        assert "Chair 1 is booked 9:00–10:55 AM." in refused.text
        assert "Nearest free times" in refused.text
    assert Appointment.objects.filter(room=chair).count() == 1


def test_control_without_the_exclusion_constraint_the_chair_is_double_booked(slow_check):
    """The same race with the constraint dropped: the check alone does not hold."""
    open_clinic()
    chair = chair_for("iv", name="Chair 1")
    monday = next_weekday(0)
    constraint = next(
        c for c in Appointment._meta.constraints if c.name == "appointment_no_double_booked_room"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        requests = [
            booking_request(client, cleared_patient("iv"), chair, clinician_with_hours(), monday)
            for client in front_desk_clients(THREADS)
        ]

        responses = run_at_once(requests)

        assert sum(1 for r in responses if r.status_code == 302) > 1
        assert Appointment.objects.filter(room=chair).count() > 1
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)


def sessions_touching_through_the_turnover():
    """8:00 (ends 9:55, chair ready 10:05) and 10:00 in one chair with a 10-minute turnover:
    apart in time, but the second starts in the first's turnover."""
    open_clinic()
    chair = chair_for("iv", name="Chair 1", turnover_minutes=10)
    monday = next_weekday(0)
    early, late = front_desk_clients(2)
    return chair, [
        booking_request(
            early, cleared_patient("iv"), chair, clinician_with_hours(), monday, "08:00"
        ),
        booking_request(
            late, cleared_patient("iv"), chair, clinician_with_hours(), monday, "10:00"
        ),
    ]


def test_two_sessions_touching_only_through_the_turnover_are_not_both_booked(slow_check):
    chair, requests = sessions_touching_through_the_turnover()

    responses = run_at_once(requests)

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert Appointment.objects.filter(room=chair).count() == 1


def test_control_with_the_constraint_on_the_sessions_alone_both_are_booked(slow_check):
    """The same race, the chair's constraint spanning the sessions without their turnover."""
    chair, requests = sessions_touching_through_the_turnover()
    constraint = next(
        c for c in Appointment._meta.constraints if c.name == "appointment_no_double_booked_room"
    )
    sessions_only = constraint.clone()
    sessions_only.expressions = [
        (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
        ("room", RangeOperators.EQUAL),
    ]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
        editor.add_constraint(Appointment, sessions_only)
    try:
        responses = run_at_once(requests)

        assert [r.status_code for r in responses] == [302, 302]
        assert Appointment.objects.filter(room=chair).count() == 2
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.remove_constraint(Appointment, sessions_only)
            editor.add_constraint(Appointment, constraint)


def capacity_requests(count):
    open_clinic()
    clinician = clinician_with_hours()
    monday = next_weekday(0)
    clients = front_desk_clients(count)
    return clinician, [
        booking_request(client, cleared_patient("iv"), chair_for("iv"), clinician, monday)
        for client in clients
    ]


def test_a_clinician_is_never_given_more_patients_than_the_clinic_allows(slow_check):
    clinician, requests = capacity_requests(THREADS)

    responses = run_at_once(requests)

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sum(1 for r in responses if r.status_code == 302) == 2
    assert Appointment.objects.filter(clinician=clinician).count() == 2
    refused = [r for r in responses if r.status_code == 200]
    assert all("already has 2 patients" in r.text for r in refused)


CAPACITY_TRIGGER = "appointment_within_clinician_capacity"


def test_control_without_the_row_lock_or_the_trigger_capacity_is_exceeded(slow_check, monkeypatch):
    monkeypatch.setattr(booking, "_lock_clinicians", lambda clinician_ids: None)
    clinician, requests = capacity_requests(THREADS)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE scheduling_appointment DISABLE TRIGGER {CAPACITY_TRIGGER}")
    try:
        run_at_once(requests)

        assert Appointment.objects.filter(clinician=clinician).count() > 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE scheduling_appointment ENABLE TRIGGER {CAPACITY_TRIGGER}")


def test_without_the_row_lock_the_database_trigger_alone_keeps_the_capacity(
    slow_check, monkeypatch
):
    monkeypatch.setattr(booking, "_lock_clinicians", lambda clinician_ids: None)
    clinician, requests = capacity_requests(THREADS)

    responses = run_at_once(requests)

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert Appointment.objects.filter(clinician=clinician).count() == 2
    assert sum(1 for r in responses if r.status_code == 302) == 2


def test_two_series_racing_for_the_same_times_book_one_whole_series(slow_check):
    from scheduling.booking import series_book, slot_for
    from tests.scheduling.factories import TreatmentPlanFactory, at

    open_clinic()
    chair = chair_for("iv", name="Chair 1")
    monday = next_weekday(0)
    plans = [TreatmentPlanFactory(first_day=monday) for _ in range(4)]
    clinicians = [clinician_with_hours() for _ in plans]
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]

    def booker(plan, clinician):
        route = plan.protocol_version.route
        slots = [
            slot_for(route=route, starts_at=at(d, 9), room_id=chair.pk, clinician_id=clinician.pk)
            for d in days
        ]
        return lambda: series_book(plan=plan, slots=slots, booked_by=clinician)

    results = run_at_once([booker(p, c) for p, c in zip(plans, clinicians, strict=True)])

    assert sum(1 for r in results if isinstance(r, list)) == 1
    assert all(isinstance(r, (list, booking.SlotTaken)) for r in results), results
    assert Appointment.objects.count() == 6
