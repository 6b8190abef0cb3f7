"""Treatment plans: a provider's order for a series, before any session is booked."""

import datetime
from decimal import Decimal

from django.db import transaction

from clinic.models import Patient, User
from scheduling.models import Protocol, TreatmentPlan


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
