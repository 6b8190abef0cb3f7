"""GET /healthz: public, tells nothing about patients, and names the check that failed."""

import datetime
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from clinic.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(settings):
    settings.REMINDER_SCAN_MINUTES = 5
    Heartbeat.beat(Heartbeat.Job.REMINDER_SCAN, at=timezone.now() - datetime.timedelta(minutes=4))


def health(client, **headers):
    response = client.get("/healthz", headers=headers)
    return response, json.loads(response.content)


def test_it_answers_200_when_every_check_passes(client, scanned):
    response, body = health(client)

    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "migrations": "ok", "reminder_scan": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


def test_it_needs_no_login_and_sets_no_cookie(client, scanned):
    response, _ = health(client)

    assert response.status_code == 200
    assert not response.cookies


def test_it_answers_a_probe_over_plain_http_by_address_with_https_required(
    client, scanned, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["clinic.example.org"]

    response, _ = health(client, host="10.0.0.7")

    assert response.status_code == 200


def test_it_fails_when_the_database_does_not_answer(client, scanned):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response, body = health(client)

    assert response.status_code == 503
    assert body["failed"] == ["database", "migrations", "reminder_scan"]
    assert body["checks"]["database"] == "not answering (OperationalError)"
    assert body["checks"]["migrations"] == "not checked: no database"


def test_it_fails_when_a_migration_is_not_applied(client, scanned):
    [(app, latest)] = MigrationLoader(connection).graph.leaf_nodes("clinic")
    MigrationRecorder(connection).record_unapplied(app, latest)

    response, body = health(client)

    assert response.status_code == 503
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == "1 not applied: run manage.py migrate"


def test_it_fails_when_no_reminder_scan_has_finished(client):
    response, body = health(client)

    assert response.status_code == 503
    assert body["failed"] == ["reminder_scan"]
    assert "no scan has finished yet" in body["checks"]["reminder_scan"]


def test_it_fails_when_the_last_scan_is_older_than_twice_the_interval(client, settings):
    settings.REMINDER_SCAN_MINUTES = 5
    Heartbeat.beat(Heartbeat.Job.REMINDER_SCAN, at=timezone.now() - datetime.timedelta(minutes=11))

    response, body = health(client)

    assert response.status_code == 503
    assert body["checks"]["reminder_scan"] == (
        "last scan finished 11 minutes ago; it runs every 5: is manage.py reminders_worker running?"
    )


def test_a_scan_late_by_less_than_one_interval_is_still_healthy(client, settings):
    settings.REMINDER_SCAN_MINUTES = 5
    Heartbeat.beat(Heartbeat.Job.REMINDER_SCAN, at=timezone.now() - datetime.timedelta(minutes=9))

    response, _ = health(client)

    assert response.status_code == 200


def test_a_failing_check_is_not_logged_as_a_server_error(client, caplog):
    response, _ = health(client)

    assert response.status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db(transaction=True)
def test_the_workers_reminder_scan_records_when_it_finished(settings):
    settings.REMINDER_SCAN_MINUTES = 5
    before = timezone.now()

    call_command("reminders_worker", "--once", verbosity=0)

    heartbeat = Heartbeat.objects.get(job=Heartbeat.Job.REMINDER_SCAN)
    assert heartbeat.finished_at >= before
