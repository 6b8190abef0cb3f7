"""Two reminder scans at the same instant, bypassing the worker's scan lock (pretix style).

The lock only saves work; what keeps each reminder to one email is its claim: a row
inserted and committed before the email goes, which the partial unique constraints let
exactly one scan insert. The control drops the constraint and shows the double send.
"""

import collections
import time

import pytest
from django.core import mail
from django.db import connection

from followups import reminders
from followups.models import Reminder
from tests.concurrency.test_booking_races import run_at_once
from tests.followups.factories import due_sessions

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

SCANS = 4
CONSTRAINT = "reminder_once_per_appointment_kind_and_start"


@pytest.fixture
def slow_send(monkeypatch):
    """Each email takes a moment, so the scans overlap from the first email to the last."""
    real_send = reminders.send_mail

    def send_then_pause(*args, **kwargs):
        sent = real_send(*args, **kwargs)
        time.sleep(0.2)
        return sent

    monkeypatch.setattr(reminders, "send_mail", send_then_pause)


def emails_per_patient():
    return collections.Counter(message.to[0] for message in mail.outbox)


def test_scans_at_once_send_each_reminder_once(slow_send):
    due_sessions(3)

    results = run_at_once([reminders.reminders_send_due] * SCANS)

    assert all(not isinstance(r, Exception) for r in results), results
    assert emails_per_patient() == {f"patient{n}@example.com": 1 for n in range(3)}
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 3


def test_control_without_the_unique_claim_a_reminder_goes_out_twice(slow_send):
    due_sessions(3)
    constraint = next(c for c in Reminder._meta.constraints if c.name == CONSTRAINT)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Reminder, constraint)
    try:
        run_at_once([reminders.reminders_send_due] * SCANS)

        assert max(emails_per_patient().values()) > 1
    finally:
        Reminder.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Reminder, constraint)
