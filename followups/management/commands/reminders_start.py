from django.core.management.base import BaseCommand

from followups.tasks import reminders_scan_schedule


class Command(BaseCommand):
    help = "Queue the periodic reminder scan for the worker, unless one is already queued."

    def handle(self, *args, **options):
        result = reminders_scan_schedule()
        if result is None:
            self.stdout.write("The reminder scan is already queued.")
        else:
            self.stdout.write("Queued the reminder scan; `manage.py db_worker` runs it.")
