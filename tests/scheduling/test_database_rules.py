"""The database keeps the booking rules on every path, not only the booking service's."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from clinic.models import Clinic, Route
from clinic.roles import Role
from scheduling.booking import SlotTaken, appointment_book, appointment_reschedule, slot_for
from scheduling.forms import clinicians
from scheduling.models import Appointment, ClinicianHours
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.factories import (
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
    open_clinic,
)

pytestmark = pytest.mark.django_db

NOT_A_CLINICIAN = "is not a nurse or provider"


@pytest.fixture
def monday():
    open_clinic(weekdays=range(7))
    return next_weekday(0)


def raw_appointment(clinician, starts_at, hours=2, **fields):
    """Written straight through the ORM: no service, no lock, no friendly check."""
    return Appointment.objects.create(
        patient=PatientFactory(),
        route=Route.objects.get(code="iv"),
        clinician=clinician,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        chair_until=starts_at + datetime.timedelta(hours=hours),
        preparation_minutes=0,
        administration_minutes=60,
        monitoring_minutes=60,
        booked_by=clinician,
        **fields,
    )


def front_desk_with_hours():
    """Someone at the desk who was given working hours by mistake."""
    front_desk = UserFactory(role=Role.FRONT_DESK)
    for weekday in range(7):
        ClinicianHours.objects.create(
            clinician=front_desk,
            weekday=weekday,
            starts_at=datetime.time(8),
            ends_at=datetime.time(18),
        )
    return front_desk


def refused_by_the_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.mark.parametrize(("field", "value"), [("status", "bogus"), ("kind", "party")])
def test_a_value_outside_the_choices_is_refused_by_the_database(monday, field, value):
    appointment = raw_appointment(clinician_with_hours(), at(monday, 9))

    refused_by_the_database(
        lambda: Appointment.objects.filter(pk=appointment.pk).update(**{field: value})
    )

    appointment.refresh_from_db()
    assert getattr(appointment, field) != value


def test_a_front_desk_member_cannot_be_a_sessions_clinician(monday):
    front_desk = front_desk_with_hours()

    with pytest.raises(SlotTaken) as refused:
        book(
            patient=cleared_patient("iv"),
            room=chair_for("iv"),
            clinician=front_desk,
            starts_at=at(monday, 9),
        )

    assert NOT_A_CLINICIAN in refused.value.conflicts[0].message
    assert not Appointment.objects.exists()


def test_a_clinician_who_has_left_cannot_monitor(monday):
    nurse = clinician_with_hours(is_active=False)

    with pytest.raises(SlotTaken) as refused:
        book(
            patient=cleared_patient("iv"),
            room=chair_for("iv"),
            clinician=nurse,
            starts_at=at(monday, 9),
        )

    assert NOT_A_CLINICIAN in refused.value.conflicts[0].message


def test_a_session_cannot_be_moved_to_a_front_desk_member(monday):
    room = chair_for("iv")
    appointment = book(
        patient=cleared_patient("iv"),
        room=room,
        clinician=clinician_with_hours(),
        starts_at=at(monday, 9),
    )
    front_desk = UserFactory(role=Role.FRONT_DESK)

    with pytest.raises(SlotTaken) as refused:
        appointment_reschedule(
            appointment=appointment,
            starts_at=at(monday, 11),
            room_id=room.pk,
            clinician_id=front_desk.pk,
        )

    assert NOT_A_CLINICIAN in refused.value.conflicts[0].message
    appointment.refresh_from_db()
    assert appointment.clinician != front_desk


def test_the_booking_forms_offer_only_nurses_and_providers(monday):
    nurse = clinician_with_hours()
    front_desk_with_hours()

    assert list(clinicians()) == [nurse]


def test_a_follow_up_call_also_needs_a_clinician(monday):
    route = Route.objects.get(code="iv")
    front_desk = UserFactory(role=Role.FRONT_DESK)
    starts = at(monday, 9)
    slot = slot_for(route=route, starts_at=starts, room_id=None, clinician_id=front_desk.pk)

    with pytest.raises(SlotTaken):
        appointment_book(
            patient=cleared_patient("iv"),
            route=route,
            slot=slot,
            booked_by=front_desk,
            kind=Appointment.Kind.FOLLOW_UP,
        )


@pytest.mark.postgres_only
class TestClinicianCapacityInTheDatabase:
    """Clinic.patients_per_clinician (2 by default), kept by a PostgreSQL trigger."""

    def test_a_third_patient_at_once_is_refused(self, monday):
        clinician = clinician_with_hours()
        raw_appointment(clinician, at(monday, 9))
        raw_appointment(clinician, at(monday, 10))

        refused_by_the_database(lambda: raw_appointment(clinician, at(monday, 10, 30)))

        assert Appointment.objects.filter(clinician=clinician).count() == 2

    def test_the_clinics_setting_is_the_limit(self, monday):
        clinic = Clinic.load()
        clinic.patients_per_clinician = 3
        clinic.save()
        clinician = clinician_with_hours()
        for _ in range(3):
            raw_appointment(clinician, at(monday, 9))

        refused_by_the_database(lambda: raw_appointment(clinician, at(monday, 9)))

    def test_patients_one_after_another_do_not_add_up(self, monday):
        clinician = clinician_with_hours()
        raw_appointment(clinician, at(monday, 9), hours=1)
        raw_appointment(clinician, at(monday, 10), hours=1)

        raw_appointment(clinician, at(monday, 9), hours=2)

        # ... but at 9:30 three would be monitored at once (9-10, 9-11 and this one).
        refused_by_the_database(lambda: raw_appointment(clinician, at(monday, 9, 30), hours=1))

    def test_cancelled_appointments_do_not_count(self, monday):
        clinician = clinician_with_hours()
        raw_appointment(clinician, at(monday, 9), status=Appointment.Status.CANCELLED)
        raw_appointment(clinician, at(monday, 9), status=Appointment.Status.NO_SHOW)
        raw_appointment(clinician, at(monday, 9))

        raw_appointment(clinician, at(monday, 9))

        assert Appointment.objects.active().filter(clinician=clinician).count() == 2

    def test_a_raw_update_that_adds_a_patient_to_a_full_clinician_is_refused(self, monday):
        clinician = clinician_with_hours()
        raw_appointment(clinician, at(monday, 9))
        raw_appointment(clinician, at(monday, 9))
        elsewhere = raw_appointment(clinician_with_hours(), at(monday, 9))

        refused_by_the_database(
            lambda: Appointment.objects.filter(pk=elsewhere.pk).update(clinician=clinician)
        )

    def test_a_cancelled_appointment_cannot_be_revived_over_the_limit(self, monday):
        clinician = clinician_with_hours()
        cancelled = raw_appointment(clinician, at(monday, 9), status=Appointment.Status.CANCELLED)
        raw_appointment(clinician, at(monday, 9))
        raw_appointment(clinician, at(monday, 9))

        refused_by_the_database(
            lambda: Appointment.objects.filter(pk=cancelled.pk).update(status="booked")
        )

    def test_bookings_made_before_the_setting_was_lowered_can_still_be_checked_in(self, monday):
        clinician = clinician_with_hours()
        first = raw_appointment(clinician, at(monday, 9))
        raw_appointment(clinician, at(monday, 9))
        clinic = Clinic.load()
        clinic.patients_per_clinician = 1
        clinic.save()

        Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.CHECKED_IN)

        first.refresh_from_db()
        assert first.status == Appointment.Status.CHECKED_IN

    def test_the_booking_service_explains_a_refusal_by_the_trigger(self, monday, monkeypatch):
        from scheduling import booking

        clinician = clinician_with_hours()
        raw_appointment(clinician, at(monday, 9))
        raw_appointment(clinician, at(monday, 9))
        # As if both were booked after this request checked: only the trigger sees them.
        monkeypatch.setattr(booking, "_check_slots", lambda **kwargs: [])

        with pytest.raises(SlotTaken):
            book(
                patient=cleared_patient("iv"),
                room=chair_for("iv"),
                clinician=clinician,
                starts_at=at(monday, 9),
            )

        assert Appointment.objects.filter(clinician=clinician).count() == 2
