"""Home page counts are kept until a counted record changes, and for a minute at most."""

import pytest
import time_machine
from django.urls import reverse

from clinic.counts import COUNTS_SECONDS, counted
from clinic.models import Patient, PatientStatus
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def count_patients():
    return counted("test-patients", Patient.objects.count)


def test_a_count_is_kept_while_nothing_counted_changes(patient, django_assert_num_queries):
    assert count_patients() == 1
    Patient.objects.update(status=PatientStatus.CLEARED)  # no signal: the count is kept

    with django_assert_num_queries(1):  # the version and the count, in one read of the cache
        assert count_patients() == 1


def test_saving_a_counted_record_counts_again(patient):
    assert count_patients() == 1

    PatientFactory()

    assert count_patients() == 2


def test_deleting_a_counted_record_counts_again(patient):
    other = PatientFactory()
    assert count_patients() == 2

    other.delete()

    assert count_patients() == 1


def test_a_count_is_kept_a_minute_at_most(patient):
    def cleared():
        return counted("test-cleared", Patient.objects.filter(status=PatientStatus.CLEARED).count)

    with time_machine.travel("2026-12-01 09:00", tick=False) as clock:
        assert cleared() == 0
        Patient.objects.update(status=PatientStatus.CLEARED)  # update() sends no signal
        assert cleared() == 0
        clock.shift(COUNTS_SECONDS + 1)

        assert cleared() == 1


def test_the_home_page_shows_a_new_patient_at_once(client_for, front_desk, patient):
    client = client_for(front_desk)
    client.get(reverse("home"))

    PatientFactory(status=PatientStatus.CLEARED)

    assert client.get(reverse("home")).context["status_counts"] == [
        (label, {PatientStatus.REFERRED: 1, PatientStatus.CLEARED: 1}.get(value, 0), value)
        for value, label in PatientStatus.choices
    ]
