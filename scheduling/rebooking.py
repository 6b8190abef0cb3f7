"""Sessions left outside the clinic's time by a new closure or new opening hours.

Registered with clinic.closing: the settings pages list them before saving, and
mark them to rebook after; the worklist shows them until they are moved or cancelled.
"""

import datetime

from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone

from clinic.models import Clinic, Closure, OpeningHours
from scheduling.models import Appointment


def sessions_outside(change):
    """The active appointments from now on that `change` puts outside the clinic's time."""
    zone = Clinic.load().zone
    ahead = (
        Appointment.objects.active()
        .filter(starts_at__gte=timezone.now())
        .select_related("patient", "room")
        .order_by("starts_at", "pk")
    )
    if isinstance(change, Closure):
        if not (change.starts_on and change.ends_on):
            return []
        start = datetime.datetime.combine(change.starts_on, datetime.time(), tzinfo=zone)
        end = datetime.datetime.combine(
            change.ends_on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
        )
        return list(ahead.filter(starts_at__gte=start, starts_at__lt=end))
    if isinstance(change, OpeningHours) and change.weekday is not None:
        on_weekday = ahead.annotate(iso_weekday=ExtractIsoWeekDay("starts_at", tzinfo=zone)).filter(
            iso_weekday=change.weekday + 1
        )  # Weekday counts Monday as 0, ISO as 1
        if change.opens_at is None or change.closes_at is None:
            return list(on_weekday)  # the weekday is closed
        return [
            appointment
            for appointment in on_weekday
            if appointment.starts_at.astimezone(zone).time() < change.opens_at
            or appointment.ends_at.astimezone(zone).time() > change.closes_at
            or appointment.ends_at.astimezone(zone).date()
            != appointment.starts_at.astimezone(zone).date()
        ]
    return []
