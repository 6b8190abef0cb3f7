"""The background worker (manage.py reminders_worker): a loop that survives its scans
failing, takes turns with other workers, and loses nothing when it is killed mid-scan."""

import collections
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from clinic.models import Heartbeat
from followups import worker
from followups.models import Reminder
from tests.databases import other_process_database_env
from tests.followups.factories import due_sessions

PROJECT = Path(__file__).resolve().parents[2]


def start_worker(mail_dir, log, *args, slow_mail_seconds=0):
    environment = {**os.environ, **other_process_database_env()}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        EMAIL_BACKEND="tests.followups.slow_mail.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        SLOW_MAIL_SECONDS=str(slow_mail_seconds),
    )
    return subprocess.Popen(  # noqa: S603 - this interpreter and this repository's command
        [sys.executable, "manage.py", "reminders_worker", *args],
        cwd=PROJECT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, process, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the worker stopped"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def recipients(mail_dir):
    """Every address an email in mail_dir went to, once per email."""
    return [
        address
        for path in mail_dir.iterdir()
        for address in re.findall(r"^To: (\S+)$", path.read_text(), re.MULTILINE)
    ]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_scan_sends_every_reminder_once_after_its_restart(tmp_path):
    due_sessions(5)
    mail_dir = tmp_path / "mail"
    log = (tmp_path / "worker.log").open("w")

    # Killed while its second email is on its way: the message has been handed over, the
    # worker has not yet recorded it as sent.
    first = start_worker(mail_dir, log, slow_mail_seconds=2)
    try:
        wait_for(lambda: mail_dir.exists() and len(list(mail_dir.iterdir())) == 2, first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed_after = len(list(mail_dir.iterdir()))

    restarted_at = timezone.now()
    second = start_worker(mail_dir, log)
    try:
        wait_for(
            lambda: Heartbeat.objects.filter(
                job=Heartbeat.Job.REMINDER_SCAN, finished_at__gte=restarted_at
            ).exists(),
            second,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        stopped = second.wait(timeout=10)

    assert first.returncode == -signal.SIGKILL
    assert killed_after == 2
    assert stopped == 0, (tmp_path / "worker.log").read_text()
    sent_to = collections.Counter(recipients(mail_dir))
    assert sent_to == {f"patient{n}@example.com": 1 for n in range(5)}
    statuses = collections.Counter(Reminder.objects.values_list("status", flat=True))
    # The one being sent at the kill stays "claimed": staff see it was not confirmed.
    assert statuses == {Reminder.Status.SENT: 4, Reminder.Status.CLAIMED: 1}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_its_turn_while_another_worker_scans():
    due_sessions(1)
    url = other_process_database_env()["DATABASE_URL"]

    with psycopg.connect(url, autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", [worker.SCAN_LOCK_ID])
        skipped = worker.reminders_scan_once()
        sent_meanwhile = len(mail.outbox)
        # Released here rather than by closing the connection, which the server may finish
        # a moment after the client has moved on.
        other_worker.execute("SELECT pg_advisory_unlock(%s)", [worker.SCAN_LOCK_ID])
    scanned = worker.reminders_scan_once()

    assert skipped is None
    assert sent_meanwhile == 0
    assert scanned is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_scan_does_not_stop_the_worker(monkeypatch):
    real_scan = worker.reminders_scan
    scans, pauses = [], []

    def fails_the_first_time():
        scans.append(timezone.now())
        if len(scans) == 1:
            raise OperationalError("the database is restarting")
        return real_scan()

    monkeypatch.setattr(worker, "reminders_scan", fails_the_first_time)

    worker.reminders_worker_run(should_stop=lambda: len(scans) == 2, sleep=pauses.append)

    assert len(scans) == 2
    assert pauses == [pytest.approx(5 * 60, abs=1)]
    assert Heartbeat.objects.filter(job=Heartbeat.Job.REMINDER_SCAN).exists()
