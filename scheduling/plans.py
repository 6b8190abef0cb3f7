"""Treatment plans: a provider's order for a series, before any session is booked."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinic.models import Patient, User
from scheduling.models import UNFINISHED_STATUSES, Appointment, Protocol, TreatmentPlan


def plan_order(
    *,
    patient: Patient,
    protocol: Protocol,
    dose: Decimal,
    dose_unit: str,
    first_day: datetime.date,
    ordered_by: User,
) -> TreatmentPlan:
    """Record the order on the protocol's current version, so later edits leave it alone."""
    with transaction.atomic():
        plan = TreatmentPlan(
            patient=patient,
            # A new version is made here when the protocol changed since its last one.
            protocol_version=protocol.snapshot(),
            dose=dose,
            dose_unit=dose_unit,
            first_day=first_day,
            ordered_by=ordered_by,
        )
        plan.full_clean()
        plan.save()
    return plan


def plans_end_finished(*, now: datetime.datetime | None = None) -> dict:
    """End the series that are over: run by the worker's periodic scan.

    Completed: as many sessions done as the protocol asks for. Closed: nothing is
    booked for the patient any more, and nothing was rebooked within the protocol's
    window after the series' last planned session (every remaining session was
    cancelled or missed). Only series with nothing booked are read.
    """
    now = now or timezone.now()
    booked_ahead = Appointment.objects.sessions().filter(
        patient=OuterRef("patient"), status__in=UNFINISHED_STATUSES
    )
    candidates = (
        TreatmentPlan.objects.in_treatment()
        .filter(~Exists(booked_ahead))
        .select_related("protocol_version")
    )
    ended = {"completed": 0, "closed": 0}
    for plan in candidates:
        window = datetime.timedelta(days=plan.protocol_version.rebook_within_days)
        with transaction.atomic():
            # Lock, then re-check: a session booked or signed meanwhile keeps the series open.
            plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
            if plan.complete_if_done(now=now):
                ended["completed"] += 1
                continue
            patient_sessions = Appointment.objects.sessions().filter(patient_id=plan.patient_id)
            if (
                plan.appointments.filter(starts_at__gt=now - window).exists()
                or patient_sessions.filter(status__in=UNFINISHED_STATUSES).exists()
            ):
                continue
            plan.close(reason=TreatmentPlan.CloseReason.SESSIONS_CANCELLED, now=now)
            ended["closed"] += 1
    return ended
