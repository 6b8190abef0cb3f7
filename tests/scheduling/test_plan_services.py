import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scheduling.models import Protocol, ProtocolVersion, TreatmentPlan
from scheduling.plans import plan_order

pytestmark = pytest.mark.django_db


def order(patient, provider, protocol, **changes):
    return plan_order(
        **{
            "patient": patient,
            "protocol": protocol,
            "dose": Decimal("0.5"),
            "dose_unit": "mg/kg",
            "first_day": datetime.date(2026, 11, 30),
            "ordered_by": provider,
            **changes,
        }
    )


def test_an_order_is_recorded_on_the_protocols_current_version(iv_patient, provider):
    protocol = Protocol.objects.get(name="IV induction")
    before = protocol.snapshot()
    protocol.session_count = 8
    protocol.save()

    plan = order(iv_patient, provider, protocol)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert plan.ordered_by == provider
    assert plan.protocol_version.number == before.number + 1
    assert plan.protocol_version.session_count == 8


def test_a_refused_order_leaves_no_new_protocol_version(iv_patient, provider):
    protocol = Protocol.objects.get(name="IV induction")
    protocol.snapshot()
    protocol.session_count = 8
    protocol.save()
    versions = ProtocolVersion.objects.count()

    with pytest.raises(ValidationError):
        order(iv_patient, provider, protocol, dose=Decimal("0"))

    assert ProtocolVersion.objects.count() == versions
    assert not TreatmentPlan.objects.exists()
