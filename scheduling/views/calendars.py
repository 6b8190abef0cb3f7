"""Day by chair, week by clinician, today's list: each in a fixed number of queries."""

import datetime
import math
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from clinic.models import OpeningHours, Patient, Room
from clinic.pagination import CountedRows
from scheduling.models import Appointment, CalendarFeed

ROW_MINUTES = 15
DEFAULT_HOURS = (datetime.time(8), datetime.time(18))
# The day grid has room for 12 chairs (static/css/scheduling.css); more are on further pages.
CHAIRS_PER_PAGE = 12
CLINICIANS_PER_PAGE = 8
TODAY_PER_PAGE = 25


MAX_YEARS_AWAY = 5


def _day_from(request):
    """The day asked for, or today (with a message) when it is not a date or too far away."""
    today = timezone.localdate()
    text = request.GET.get("date") or ""
    if not text:
        return today
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None or abs((day - today).days) > MAX_YEARS_AWAY * 366:
        messages.warning(request, f"“{text[:20]}” is not a date we can show; showing today.")
        return today
    return day


def _appointments_on(day, zone, *extra):
    return (
        Appointment.objects.active()
        .on_day(day, zone)
        .select_related("patient", "route", "clinician", "room", *extra)
        .order_by("starts_at", "pk")
    )


def _minutes(delta):
    return int(delta.total_seconds() // 60)


class WeekEntry(NamedTuple):
    url: str
    time: str
    text: str  # patient and chair


class Block:
    """An appointment placed on the day grid (row and column as CSS classes)."""

    def __init__(self, appointment, *, column, day_start, zone):
        self.appointment = appointment
        self.column = column
        start = appointment.starts_at.astimezone(zone)
        end = appointment.ends_at.astimezone(zone)
        # The block runs on through the chair's turnover: the chair is not free till then.
        chair_free = appointment.chair_until.astimezone(zone)
        self.row = _minutes(start - day_start) // ROW_MINUTES + 2
        self.span = max(1, math.ceil(_minutes(chair_free - start) / ROW_MINUTES))
        self.total = (
            appointment.preparation_minutes
            + appointment.administration_minutes
            + appointment.monitoring_minutes
            + appointment.turnover_minutes
        )
        self.dose_y = appointment.preparation_minutes
        self.monitor_y = appointment.preparation_minutes + appointment.administration_minutes
        # Written here once rather than by five date filters per block in the template:
        # a busy day shows a hundred blocks.
        dose = appointment.administration_starts_at.astimezone(zone)
        monitor = appointment.monitoring_starts_at.astimezone(zone)
        self.turnover_y = self.total - appointment.turnover_minutes
        self.times = (
            f"{start:%-I:%M}–{end:%-I:%M %p} · {appointment.route_id.upper()}"
            f" · dose {dose:%-I:%M} · monitor {monitor:%-I:%M}"
        )
        if appointment.turnover_minutes:
            self.times += f" · chair ready {chair_free:%-I:%M}"


@permission_required("scheduling.view_appointment", raise_exception=True)
def day_view(request):
    zone = request.clinic.zone
    day = _day_from(request)
    hours = OpeningHours.objects.filter(weekday=day.weekday()).first()
    opens, closes = (hours.opens_at, hours.closes_at) if hours else DEFAULT_HOURS
    day_start = datetime.datetime.combine(day, opens, tzinfo=zone)
    day_end = datetime.datetime.combine(day, closes, tzinfo=zone)
    rows = []
    moment = day_start
    while moment < day_end:
        rows.append({"time": moment, "row": len(rows) + 2})
        moment += datetime.timedelta(minutes=ROW_MINUTES)
    page = Paginator(Room.objects.filter(active=True).order_by("name", "pk"), CHAIRS_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    rooms = list(page.object_list)
    columns = {room.pk: index + 2 for index, room in enumerate(rooms)}
    blocks = [
        Block(appointment, column=columns[appointment.room_id], day_start=day_start, zone=zone)
        for appointment in _appointments_on(day, zone).filter(room__in=rooms)
    ]
    # Cancelled and no-show appointments free their chair, so they are listed under the grid.
    not_held = (
        Appointment.objects.on_day(day, zone)
        .filter(
            room__in=rooms,
            status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW],
        )
        .select_related("patient", "room")
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    now_row = None
    if day_start <= now < day_end:
        now_row = _minutes(now - day_start) // ROW_MINUTES + 2
    return render(
        request,
        "scheduling/day.html",
        {
            "day": day,
            "open": hours is not None,
            "rooms": [(room, columns[room.pk]) for room in rooms],
            "rows": rows,
            "end_column": len(rooms) + 2,
            "blocks": blocks,
            "not_held": not_held,
            "now_row": now_row,
            "now": now,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "today": timezone.localdate(),
            "page": page,
            "page_query": f"date={day:%Y-%m-%d}&",
        },
    )


@permission_required("scheduling.view_appointment", raise_exception=True)
def week_view(request):
    zone = request.clinic.zone
    day = _day_from(request)
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=zone)
    end = start + datetime.timedelta(days=7)
    page = Paginator(
        get_user_model()
        .objects.filter(is_active=True, working_hours__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "pk"),
        CLINICIANS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    clinicians = list(page.object_list)
    # A week of eight clinicians is a few hundred sessions: read as rows, not models, and
    # written once here rather than through three filters each in the template.
    appointments = (
        Appointment.objects.active()
        .overlapping(start, end)
        .filter(clinician__in=clinicians)
        .order_by("starts_at")
        .values_list(
            "pk",
            "clinician_id",
            "starts_at",
            "patient__preferred_name",
            "patient__legal_first_name",
            "patient__legal_last_name",
            "room__name",
        )
    )
    cells = {}
    for pk, clinician_id, starts_at, preferred, first, last, room in appointments:
        local = starts_at.astimezone(zone)
        entry = WeekEntry(
            url=reverse("scheduling:appointment_detail", args=[pk]),
            time=f"{local:%-I:%M %p}",
            text=f"{Patient.display_name(preferred, first, last)} · {room or 'phone or video'}",
        )
        cells.setdefault((clinician_id, local.date()), []).append(entry)
    table = [
        (clinician, [cells.get((clinician.pk, d), []) for d in days]) for clinician in clinicians
    ]
    feed = CalendarFeed.objects.filter(clinician=request.user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else None
    offer_feed = feed is None and request.user.working_hours.exists()
    return render(
        request,
        "scheduling/week.html",
        {
            "days": days,
            "table": table,
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "today": timezone.localdate(),
            "feed_url": feed_url,
            "offer_feed": offer_feed,
            "page": page,
            "page_query": f"date={day:%Y-%m-%d}&",
        },
    )


@permission_required("scheduling.view_appointment", raise_exception=True)
def today_view(request):
    """Today's list, 25 a page; without a page asked for, it opens where the day is now."""
    day = timezone.localdate()
    appointments = _appointments_on(day, request.clinic.zone)
    # The day's count and how many have ended, in one query.
    counts = appointments.order_by().aggregate(
        total=Count("pk"), ended=Count("pk", filter=Q(ends_at__lte=timezone.now()))
    )
    number = request.GET.get("page") or counts["ended"] // TODAY_PER_PAGE + 1
    page = Paginator(CountedRows(appointments, counts["total"]), TODAY_PER_PAGE).get_page(number)
    return render(
        request,
        "scheduling/today.html",
        {
            "day": day,
            "appointments": page.object_list,
            "page": page,
            "now": timezone.now(),
        },
    )
