import io

import pytest
from django.core.management import call_command

from scheduling.models import Appointment, ClinicianHours, SessionRecord, TreatmentPlan

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_scheduling_data_once(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        ClinicianHours.objects.count(),
        TreatmentPlan.objects.count(),
        Appointment.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())

    # 2 orders to plan, and 3 booked series with score histories for the follow-up demo.
    assert counts[0] == 12 and counts[1] == 5
    assert (
        ClinicianHours.objects.count(),
        TreatmentPlan.objects.count(),
        Appointment.objects.count(),
    ) == counts
    assert SessionRecord.objects.rems_due().count() <= 1
