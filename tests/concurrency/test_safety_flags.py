"""Two requests raise the same patient's flag at the same moment (PostgreSQL only)."""

import threading

import pytest
from django.db import connection

from clinic.flags import self_harm_flag_raise
from clinic.instruments import InstrumentCode
from clinic.models import MeasureSource, SafetyFlag
from tests.factories import PatientFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def raise_at_once(patient, count):
    barrier = threading.Barrier(count)
    raised, errors = [], []

    def flag():
        try:
            barrier.wait()
            raised.append(
                self_harm_flag_raise(
                    patient=patient,
                    source=MeasureSource.INTAKE,
                    instrument_code=InstrumentCode.PHQ9,
                    answers=[0] * 8 + [1],
                )
            )
        except Exception as error:  # noqa: BLE001 - the test reports whatever happened
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=flag) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised, errors


def test_simultaneous_raises_leave_one_open_flag_that_every_request_gets():
    patient = PatientFactory()

    raised, errors = raise_at_once(patient, 4)

    assert errors == []
    assert SafetyFlag.objects.filter(patient=patient).count() == 1
    assert {flag.pk for flag in raised} == {SafetyFlag.objects.get(patient=patient).pk}
