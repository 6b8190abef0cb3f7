"""Helpers for follow-up tests: a series that has ended, follow-ups with a given window."""

import datetime

from django.utils import timezone

from clinic.models import Clinic
from followups.models import FollowUp
from scheduling.models import Appointment, RemsEnrollment
from tests.factories import UserFactory
from tests.scheduling.factories import (  # noqa: F401 - ended_series is used by follow-up tests
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    ended_series,
    open_clinic,
)

HOUR = datetime.timedelta(hours=1)


def follow_up(*, patient, due_from, due_by=None, kind="post_series", provider=None, **kwargs):
    return FollowUp.objects.create(
        patient=patient,
        kind=kind,
        due_from=due_from,
        due_by=due_by or due_from + datetime.timedelta(days=6),
        provider=provider,
        **kwargs,
    )


def today():
    return timezone.localdate()


def session_in(
    hours, *, patient=None, route_code="iv", room=None, clinician=None, booked_days_ago=7
):
    """A booked session starting `hours` from now, on a clinic open around the clock,
    booked `booked_days_ago` (a week by default: before any reminder was due)."""
    patient = patient or cleared_patient(route_code)
    if route_code == "intranasal":
        RemsEnrollment.objects.get_or_create(
            patient=patient,
            defaults={
                "enrolled_on": timezone.localdate() - datetime.timedelta(days=7),
                "patient_signed": True,
                "prescriber_signed": True,
                "prescriber": UserFactory(role="Provider"),
            },
        )
    room = room or chair_for(route_code)
    clinician = clinician or clinician_with_hours(
        starts=datetime.time(0), ends=datetime.time(23, 59)
    )
    starts = (timezone.now() + hours * HOUR).replace(second=0, microsecond=0)
    appointment = book(
        patient=patient, route_code=route_code, room=room, clinician=clinician, starts_at=starts
    )
    booked_at = timezone.now() - datetime.timedelta(days=booked_days_ago)
    Appointment.objects.filter(pk=appointment.pk).update(created_at=booked_at)
    appointment.refresh_from_db()
    return appointment


def due_sessions(count):
    """`count` sessions, each with its own patient, chair and nurse, at the first whole hour
    of the daytime (6 AM to 8 PM) between 26 and 46 hours away: inside the "48 hours before"
    window with room on both sides, so each is due for a reminder now whenever the suite runs
    (a fixed 9:00 fell just outside the window a few minutes a day)."""
    open_clinic(opens=datetime.time(0), closes=datetime.time(23, 59), weekdays=range(7))
    now = timezone.now()
    zone = Clinic.load().zone
    first = (now + 26 * HOUR).replace(minute=0, second=0, microsecond=0) + HOUR
    starts = next(
        moment
        for moment in (first + n * HOUR for n in range(20))
        if 6 <= moment.astimezone(zone).hour <= 20
    )
    hours = (starts - now) / HOUR
    return [
        session_in(hours, patient=cleared_patient("iv", email=f"patient{n}@example.com"))
        for n in range(count)
    ]
