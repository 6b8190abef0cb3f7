from io import StringIO

from django.core.management import call_command
from django.test import override_settings

from clinic.models import SafetyFlag
from intake.models import Intake, IntakeStatus


@override_settings(DEBUG=True)
def test_the_demo_has_half_filled_and_submitted_intakes_and_is_safe_to_load_twice(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert Intake.objects.filter(status=IntakeStatus.IN_PROGRESS).count() == 4
    assert Intake.objects.filter(status=IntakeStatus.SUBMITTED).count() == 4
    assert SafetyFlag.objects.open().count() == 1
