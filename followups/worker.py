"""The background worker: one reminder scan now, then one every REMINDER_SCAN_MINUTES.

`manage.py reminders_worker` is a loop in one process (make run, make serve, the
clinic-worker unit): no queue, no task rows and no chain of tasks that must re-enqueue
itself, so nothing can be left `running` by a killed worker, and nothing stops the next
scan but the process itself stopping (systemd restarts it; `make run` stops it with the
server). A scan that fails is logged and the loop carries on.

Any number of workers may run, on any hosts. On PostgreSQL each scan runs under a
session-level advisory lock: a second worker that wakes while a scan is running skips its
turn. The lock belongs to the scanning process's connection, so PostgreSQL releases it
the moment that process dies, SIGKILL included. What keeps every reminder to one email is
not the lock but the claim (followups.reminders): the lock only saves the wasted work,
which is why SQLite (the single-machine demo) does without one.
"""

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from clinic.models import Heartbeat

logger = logging.getLogger(__name__)

# pg_try_advisory_lock takes any bigint; this one is ours alone in the clinic database.
SCAN_LOCK_ID = 0x6B65_7461_7363_616E  # "ketascan"


def reminders_scan() -> dict:
    """End finished series, create their follow-ups, send every reminder due, record the time."""
    from clinic.ratelimit import rate_counters_forget
    from followups.reminders import reminders_send_due
    from followups.services import ended_series_follow_ups_create
    from scheduling.plans import plans_end_finished

    ended = plans_end_finished()
    created = ended_series_follow_ups_create()
    sent = reminders_send_due(now=timezone.now())
    rate_counters_forget()
    Heartbeat.beat(Heartbeat.Job.REMINDER_SCAN)
    return {"series_ended": ended, "follow_ups_created": created, "sent": sent}


@contextlib.contextmanager
def scan_lock():
    """True while this process holds the scan lock, False if another scan holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK_ID])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK_ID])
            except DatabaseError:
                pass  # the connection is gone, and the lock with it


def reminders_scan_once() -> dict | None:
    """One scan under the lock; None if another worker was scanning at that moment."""
    with scan_lock() as held:
        if not held:
            logger.info("Reminder scan skipped: another worker is scanning.")
            return None
        result = reminders_scan()
    logger.info(
        "Reminder scan: series ended %s, %s follow-ups created, emails sent: %s",
        result["series_ended"],
        result["follow_ups_created"],
        result["sent"],
    )
    return result


def reminders_worker_run(*, should_stop=lambda: False, sleep=time.sleep):
    """Scan now, then every REMINDER_SCAN_MINUTES (counted from each scan's start)."""
    interval = datetime.timedelta(minutes=settings.REMINDER_SCAN_MINUTES).total_seconds()
    while not should_stop():
        started = time.monotonic()
        try:
            close_old_connections()  # one the database dropped since the last scan
            reminders_scan_once()
        except Exception:
            # The database restarting, a bad row: the next scan tries again, and /healthz
            # reports the worker once no scan has finished for two intervals.
            logger.exception("Reminder scan failed")
        if should_stop():
            break
        sleep(max(0.0, started + interval - time.monotonic()))
