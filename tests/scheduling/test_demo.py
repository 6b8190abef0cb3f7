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


def test_the_demo_worklist_has_due_and_overdue_follow_ups_and_a_response(settings):
    from clinic.models import Patient
    from followups.panels import patient_chart
    from followups.worklist import worklist_build

    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())

    worklist = worklist_build()
    assert worklist.due and worklist.overdue and worklist.questionnaires
    chart = patient_chart(Patient.objects.get(legal_first_name="Ethan"))
    assert (chart.baseline, chart.latest, chart.outcome) == (19, 8, "response")
    assert len(chart.session_xs) == 6
