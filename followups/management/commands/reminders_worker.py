import signal
import time

from django.core.management.base import BaseCommand

from followups.worker import reminders_scan_once, reminders_worker_run


class Command(BaseCommand):
    help = (
        "The background worker: a reminder scan now, then every REMINDER_SCAN_MINUTES. "
        "TERM or INT lets a running scan finish, then stops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Scan once and exit (the backup drill, cron)."
        )

    def handle(self, *args, once, **options):
        if once:
            result = reminders_scan_once()
            if result is None:
                self.stdout.write("Another worker is scanning; nothing done.")
            return
        self.stopping = False
        self.sleeping = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        reminders_worker_run(should_stop=lambda: self.stopping, sleep=self._sleep)

    def _stop(self, signum, frame):
        if self.sleeping or self.stopping:
            raise SystemExit(0 if self.sleeping else 1)  # idle, or asked twice: stop now
        self.stopping = True  # a scan is running: it finishes first

    def _sleep(self, seconds):
        self.sleeping = True
        try:
            if not self.stopping:
                time.sleep(seconds)
        finally:
            self.sleeping = False
