"""Background tasks, run by `manage.py db_worker` (django-tasks-db).

`reminders_scan` is periodic: each run schedules the next with `run_after`.
`manage.py reminders_start` (run by `make run` before the worker) starts the
chain if no scan is waiting, so a worker that died mid-scan is picked up again.
Each scan that finishes records its time (clinic.models.Heartbeat) for /healthz.
"""

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


@task()
def reminders_scan():
    from clinic.models import Heartbeat
    from followups.reminders import reminders_send_due
    from followups.services import ended_series_follow_ups_create
    from scheduling.plans import plans_end_finished

    try:
        ended = plans_end_finished()
        created = ended_series_follow_ups_create()
        counts = reminders_send_due(now=timezone.now())
        Heartbeat.beat(Heartbeat.Job.REMINDER_SCAN)
        logger.info(
            "Reminder scan: series ended %s, %s follow-ups created, emails sent: %s",
            ended,
            created,
            counts,
        )
        return {"series_ended": ended, "follow_ups_created": created, "sent": counts}
    finally:
        reminders_scan_schedule(delay=datetime.timedelta(minutes=settings.REMINDER_SCAN_MINUTES))


def reminders_scan_schedule(*, delay=datetime.timedelta()):
    """Enqueue the next scan unless one is already waiting: at most one chain."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=reminders_scan.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return None
    return reminders_scan.using(run_after=timezone.now() + delay).enqueue()
