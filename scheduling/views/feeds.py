"""A clinician's sessions as an iCalendar feed (RFC 5545), behind a secret address."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access_log import log_access
from clinic.models import AccessKind
from scheduling import ical
from scheduling.models import Appointment, CalendarFeed

FEED_DAYS_BACK = 14
FEED_DAYS_AHEAD = 120


@login_not_required
def clinician_feed(request, token):
    feed = get_object_or_404(CalendarFeed.objects.select_related("clinician"), token=token)
    # Fetched by a calendar app with the secret address, not by a login.
    log_access(request, AccessKind.CALENDAR_FEED, subject=f"Calendar feed of {feed.clinician}")
    now = timezone.now()
    appointments = (
        Appointment.objects.active()
        .for_clinician(feed.clinician)
        .overlapping(
            now - datetime.timedelta(days=FEED_DAYS_BACK),
            now + datetime.timedelta(days=FEED_DAYS_AHEAD),
        )
    )
    host = request.get_host().split(":")[0]
    events = [
        # Initials and MRN only, and nothing about the treatment (not even the route):
        # a phone's calendar is not a medical record. The chair is the clinic's, not PHI.
        ical.Event(
            uid=f"appointment-{pk}@{host}",
            starts_at=starts_at,
            ends_at=ends_at,
            summary=f"{first[:1]}{last[:1]}".upper() + f" {mrn}",
            location=room or "Phone or video",
        )
        for pk, starts_at, ends_at, first, last, mrn, room in appointments.values_list(
            "pk",
            "starts_at",
            "ends_at",
            "patient__legal_first_name",
            "patient__legal_last_name",
            "patient__mrn",
            "room__name",
        )
    ]
    body = ical.calendar(
        prodid="-//Ketamine clinic//Scheduling//EN",
        name=f"Sessions: {request.clinic.name}",
        events=events,
        stamp=now,
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@permission_required("scheduling.view_appointment", raise_exception=True)
@require_POST
def my_feed_create(request):
    """A clinician asks for the private address of their own sessions (made once, kept)."""
    if request.user.working_hours.exists():
        CalendarFeed.objects.get_or_create(clinician=request.user)
    else:
        messages.error(request, "Only staff with working hours have sessions to put in a calendar.")
    return redirect("scheduling:week")
