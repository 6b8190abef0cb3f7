"""A clinician's sessions as an iCalendar feed (RFC 5545), behind a secret address."""

import datetime

import icalendar
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scheduling.models import Appointment, CalendarFeed

FEED_DAYS_BACK = 14
FEED_DAYS_AHEAD = 120


def _initials(patient):
    return f"{patient.legal_first_name[:1]}{patient.legal_last_name[:1]}".upper()


@login_not_required
def clinician_feed(request, token):
    feed = get_object_or_404(CalendarFeed.objects.select_related("clinician"), token=token)
    now = timezone.now()
    appointments = (
        Appointment.objects.active()
        .for_clinician(feed.clinician)
        .overlapping(
            now - datetime.timedelta(days=FEED_DAYS_BACK),
            now + datetime.timedelta(days=FEED_DAYS_AHEAD),
        )
        .select_related("patient", "room")
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ketamine clinic//Scheduling//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Sessions: {request.clinic.name}")
    host = request.get_host().split(":")[0]
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        # Initials and MRN only, and nothing about the treatment (not even the route):
        # a phone's calendar is not a medical record. The chair is the clinic's, not PHI.
        event.add("summary", f"{_initials(appointment.patient)} {appointment.patient.mrn}")
        event.add("location", appointment.room.name if appointment.room else "Phone or video")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
