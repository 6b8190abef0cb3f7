"""Two providers order a series from a just-edited protocol at the same moment (PostgreSQL only)."""

import threading

import pytest
from django.db import connection

from scheduling.models import Protocol, ProtocolVersion

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def snapshot_at_once(protocol_pk, count):
    barrier = threading.Barrier(count)
    versions, errors = [], []

    def snapshot():
        try:
            protocol = Protocol.objects.get(pk=protocol_pk)
            barrier.wait()
            versions.append(protocol.snapshot())
        except Exception as error:  # noqa: BLE001 - the test reports whatever happened
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=snapshot) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return versions, errors


def test_simultaneous_orders_after_an_edit_share_one_new_version():
    protocol = Protocol.objects.get(name="IV induction")
    protocol.snapshot()
    protocol.session_count = 8
    protocol.save()

    versions, errors = snapshot_at_once(protocol.pk, 4)

    assert errors == []
    assert {(version.number, version.session_count) for version in versions} == {(2, 8)}
    assert ProtocolVersion.objects.filter(protocol=protocol).count() == 2
