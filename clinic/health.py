"""`GET /healthz`: 200 when the app can serve, 503 naming the check that failed.

Three checks: the database answers, every migration is applied, and the background
worker's reminder scan finished within twice its interval. The answer is a small JSON
object with no data in it.

It is a middleware, first in the chain, rather than a view: every page's middleware reads
the clinic's row (ClinicTimezoneMiddleware), so with the database down or its tables not
yet migrated a view would never run and the answer would be a 500 error page. Answering
here also skips the host check and the HTTPS redirect, so a load balancer may probe an app
host by its address over plain HTTP, and it needs no login, session or rate limit.
"""

import datetime
import json

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.utils import timezone

from clinic.models import Heartbeat

HEALTH_PATH = "/healthz"
OK = "ok"


def database_check():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"not answering ({type(error).__name__})"
    return OK


def migrations_check():
    executor = MigrationExecutor(connection)
    missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if missing:
        return f"{len(missing)} not applied: run manage.py migrate"
    return OK


def reminder_scan_check(now=None):
    interval = datetime.timedelta(minutes=settings.REMINDER_SCAN_MINUTES)
    heartbeat = Heartbeat.objects.filter(job=Heartbeat.Job.REMINDER_SCAN).first()
    if heartbeat is None:
        return "no scan has finished yet: is manage.py reminders_worker running?"
    age = (now or timezone.now()) - heartbeat.finished_at
    if age > 2 * interval:
        return (
            f"last scan finished {int(age.total_seconds() // 60)} minutes ago; "
            f"it runs every {settings.REMINDER_SCAN_MINUTES}: "
            "is manage.py reminders_worker running?"
        )
    return OK


def health_checks():
    """Each check's answer, "ok" or what is wrong; later checks wait for the database."""
    results = {"database": database_check()}
    for name, check in (("migrations", migrations_check), ("reminder_scan", reminder_scan_check)):
        if results["database"] != OK:
            results[name] = "not checked: no database"
            continue
        try:
            results[name] = check()
        except DatabaseError as error:
            results[name] = f"failed ({type(error).__name__})"
    return results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        checks = health_checks()
        failed = [name for name, result in checks.items() if result != OK]
        body = {"status": "failing" if failed else OK, "failed": failed, "checks": checks}
        response = HttpResponse(
            json.dumps(body), content_type="application/json", status=503 if failed else 200
        )
        response["Cache-Control"] = "no-store"
        # A failing probe is the monitor's news, not an error to log (and to report to
        # Sentry) every few seconds: Django skips responses it has already logged.
        response._has_been_logged = True
        return response
