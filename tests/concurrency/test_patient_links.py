"""Two members of staff send the same patient a link at the same moment (PostgreSQL only)."""

import threading

import pytest
from django.db import connection

from clinic.models import LinkPurpose, PatientLink
from tests.factories import PatientFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def issue_at_once(patient, count):
    barrier = threading.Barrier(count)
    errors = []

    def issue():
        try:
            barrier.wait()
            PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)
        except Exception as error:  # noqa: BLE001 - the test reports whatever happened
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_links_leave_exactly_one_that_works():
    patient = PatientFactory()

    errors = issue_at_once(patient, 4)

    assert errors == []
    assert PatientLink.objects.filter(patient=patient, revoked_at__isnull=True).count() == 1
    assert PatientLink.objects.filter(patient=patient).count() == 4
