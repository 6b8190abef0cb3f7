"""Helpers for follow-up tests: a series that has ended, follow-ups with a given window."""

import datetime

from django.utils import timezone

from clinic.models import Route
from followups.models import FollowUp
from scheduling.models import Appointment, TreatmentPlan
from tests.scheduling.factories import TreatmentPlanFactory, at, chair_for, clinician_with_hours


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
