import io

import pytest
from django.core.management import CommandError, call_command

from clinic.models import Clinic, Patient, PatientStatus, Room, User
from clinic.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_data_has_a_clinic_rooms_a_login_per_role_and_thirty_patients(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())

    assert Clinic.load().name == "Bayview Ketamine Clinic"
    assert Room.objects.count() == 4
    for role in Role:
        assert User.objects.filter(groups__name=role).count() == 1
    assert Patient.objects.count() == 30
    assert set(Patient.objects.values_list("status", flat=True)) == set(PatientStatus.values)


def test_running_it_twice_duplicates_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())

    call_command("seed_demo", stdout=io.StringIO())

    assert Patient.objects.count() == 30
    assert Room.objects.count() == 4
    assert User.objects.count() == 4


def test_the_demo_passwords_are_printed_and_work(settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")

    output = capsys.readouterr().out
    assert "nurse@demo.clinic" in output
    assert "demo-nurse-pass-1" in output
    nurse = User.objects.get(email="nurse@demo.clinic")
    assert nurse.check_password("demo-nurse-pass-1")


def test_it_refuses_to_run_in_production(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG=1"):
        call_command("seed_demo")

    assert not User.objects.exists()
