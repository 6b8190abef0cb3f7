import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from clinic.models import Clinic, OpeningHours, Room, Route
from scheduling.booking import appointment_book, slot_for
from scheduling.models import Appointment, ClinicianHours, Protocol, TreatmentPlan
from tests.factories import PatientFactory, RoomFactory, UserFactory


def open_clinic(opens=datetime.time(8), closes=datetime.time(18), weekdays=range(5)):
    for weekday in weekdays:
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens_at": opens, "closes_at": closes}
        )


def clinician_with_hours(
    starts=datetime.time(8), ends=datetime.time(18), weekdays=range(7), **kwargs
):
    clinician = UserFactory(role="Nurse", **kwargs)
    for weekday in weekdays:
        ClinicianHours.objects.create(
            clinician=clinician, weekday=weekday, starts_at=starts, ends_at=ends
        )
    return clinician


def chair_for(*codes, name=None, turnover_minutes=0):
    room = RoomFactory(turnover_minutes=turnover_minutes, **({"name": name} if name else {}))
    room.routes.add(*Route.objects.filter(code__in=codes))
    return room


def cleared_patient(*codes, **kwargs):
    patient = PatientFactory(**kwargs)
    patient.cleared_routes.add(*Route.objects.filter(code__in=codes))
    return patient


def at(day, hour, minute=0):
    """An aware datetime at a wall-clock time in the clinic's zone."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=Clinic.load().zone)


def next_weekday(weekday, after=None):
    day = after or timezone.localdate()
    day += datetime.timedelta(days=1)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentPlan

    patient = factory.LazyFunction(lambda: cleared_patient("iv"))
    protocol_version = factory.LazyFunction(
        lambda: Protocol.objects.get(name="IV induction").snapshot()
    )
    dose = Decimal("0.5")
    dose_unit = "mg/kg"
    first_day = factory.LazyFunction(lambda: next_weekday(0))
    ordered_by = factory.LazyFunction(lambda: UserFactory(role="Provider"))


def book(*, patient, route_code="iv", room, clinician, starts_at, booked_by=None):
    route = Route.objects.get(code=route_code)
    return appointment_book(
        patient=patient,
        route=route,
        slot=slot_for(route=route, starts_at=starts_at, room_id=room.pk, clinician_id=clinician.pk),
        booked_by=booked_by or clinician,
    )


def checked_in_session(*, patient, room, clinician, starts_at):
    """An IV session checked in at its start (made directly: booking refuses past times)."""
    appointment = Appointment.session_of(
        route=Route.objects.get(code="iv"),
        starts_at=starts_at,
        patient=patient,
        room=room,
        clinician=clinician,
        booked_by=clinician,
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=starts_at,
    )
    appointment.save()
    return appointment


__all__ = ["Room"]


def ended_series(*, last_day, patient=None, completed=6, room=None, clinician=None):
    """A confirmed IV plan whose sessions ended on `last_day` (one a day, going back)."""
    plan = TreatmentPlanFactory(
        **({"patient": patient} if patient else {}), status=TreatmentPlan.Status.CONFIRMED
    )
    route = Route.objects.get(code="iv")
    room = room or chair_for("iv")
    clinician = clinician or clinician_with_hours()
    for sequence in range(1, 7):
        starts = at(last_day - datetime.timedelta(days=6 - sequence), 9)
        Appointment.session_of(
            route=route,
            starts_at=starts,
            patient=plan.patient,
            plan=plan,
            sequence=sequence,
            room=room,
            clinician=clinician,
            status=(
                Appointment.Status.COMPLETED if sequence <= completed else Appointment.Status.BOOKED
            ),
            booked_by=clinician,
        ).save()
    return plan
