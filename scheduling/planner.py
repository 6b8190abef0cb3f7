"""Proposing times for a series, in memory.

`load_calendar()` reads everything a window needs in a fixed number of queries
(opening hours, closures, rooms, clinician hours, time off, bookings); the rest
is plain Python, so planning 6 or 60 sessions costs the same number of queries.
Wall-clock times are built in the clinic's zone with zoneinfo and stored in UTC,
so a 9:00 session stays at 9:00 across daylight-saving changes.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

from clinic.models import Clinic, Closure, OpeningHours, Room
from clinic.roles import CLINICIAN_ROLES
from scheduling.models import ClinicianHours, SchedulingPreference, TimeOff
from scheduling.models.appointments import Appointment

STEP = datetime.timedelta(minutes=15)
NO_TURNOVER = datetime.timedelta()
HORIZON_WEEKS = 26
SLACK_WEEKS = 2
PLANNING_RANGE = datetime.timedelta(days=2 * 366)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int
    clinician_id: int


class Busy(NamedTuple):
    """A booking in the window (a tuple: thousands are read for each proposal).

    `chair_until`: when its chair is free again, after the turnover (None: at its end)."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None
    clinician_id: int
    patient_id: int
    chair_until: datetime.datetime | None = None
    label: str = ""

    @property
    def chair_free_at(self):
        return self.chair_until or self.ends_at


@dataclass(frozen=True)
class Preference:
    weekdays: frozenset = frozenset()
    earliest: datetime.time | None = None
    latest: datetime.time | None = None

    @classmethod
    def for_patient(cls, patient):
        pref = SchedulingPreference.objects.filter(patient=patient).first()
        if pref is None:
            return cls()
        return cls(frozenset(pref.weekdays), pref.earliest_start, pref.latest_start)


def peak_overlap(intervals, starts_at, ends_at):
    """The most intervals running at the same moment within [starts_at, ends_at)."""
    events = []
    for start, end in intervals:
        if start < ends_at and end > starts_at:
            events.append((max(start, starts_at), 1))
            events.append((min(end, ends_at), -1))
    peak = running = 0
    for _, change in sorted(events):
        running += change
        peak = max(peak, running)
    return peak


@dataclass
class Calendar:
    """The facts of a window of days, for checking and proposing slots in memory."""

    zone: datetime.tzinfo
    capacity: int
    opening: dict
    closures: set
    room_ids: list
    room_names: dict
    clinician_hours: dict
    time_off: dict
    room_turnover: dict = field(default_factory=dict)  # room id: timedelta
    # Each day's bookings by start; the longest holds its chair this long from its start.
    busy_by_day: dict = field(default_factory=lambda: defaultdict(list))
    longest_booking: datetime.timedelta = NO_TURNOVER

    def local_day(self, moment):
        return moment.astimezone(self.zone).date()

    def copy(self):
        """The same facts, with bookings that can be added to without touching these."""
        busy = defaultdict(list, {day: list(items) for day, items in self.busy_by_day.items()})
        return replace(self, busy_by_day=busy)

    def extended(self, later):
        """This window followed by `later`, the calendar of the days after it: the days
        read already keep their bookings, and only the new days are read."""
        calendar = self.copy()
        calendar.closures = self.closures | later.closures
        time_off = {clinician: list(spans) for clinician, spans in self.time_off.items()}
        for clinician, spans in later.time_off.items():
            known = time_off.setdefault(clinician, [])
            known.extend(span for span in spans if span not in known)
        calendar.time_off = time_off
        for day, bookings in later.busy_by_day.items():
            if day not in calendar.busy_by_day:
                calendar.busy_by_day[day] = list(bookings)
        calendar.longest_booking = max(self.longest_booking, later.longest_booking)
        return calendar

    def add(self, busy):
        bisect.insort(self.busy_by_day[self.local_day(busy.starts_at)], busy, key=_starts)
        self.longest_booking = max(self.longest_booking, busy.chair_free_at - busy.starts_at)

    def nearby(self, day, starts_at, ends_at):
        """The day's bookings that can touch [starts_at, ends_at) or its chair's turnover.

        Only those starting within the longest booking before it and the longest turnover
        after it can: a slot is checked against a few dozen, not the whole busy day.
        """
        same_day = self.busy_by_day.get(day, ())
        low = bisect.bisect_left(same_day, starts_at - self.longest_booking, key=_starts)
        high = bisect.bisect_left(same_day, ends_at + self.longest_turnover, key=_starts)
        return same_day[low:high]

    def chair_until(self, room_id, ends_at):
        """When a session ending then frees its chair: after the chair's turnover."""
        return ends_at + self.room_turnover.get(room_id, NO_TURNOVER)

    def busy_of(self, slot, patient_id):
        return Busy(
            slot.starts_at,
            slot.ends_at,
            slot.room_id,
            slot.clinician_id,
            patient_id,
            self.chair_until(slot.room_id, slot.ends_at),
        )

    def chair_taken(self, busy, *, room_id, starts_at, ends_at):
        """Whether a booking holds the chair at any moment the slot (and its turnover) needs."""
        return (
            busy.room_id == room_id
            and busy.starts_at < self.chair_until(room_id, ends_at)
            and busy.chair_free_at > starts_at
        )

    def at(self, day, time):
        return datetime.datetime.combine(day, time, tzinfo=self.zone)

    def problems(self, *, patient_id, starts_at, ends_at, room_id, clinician_id):
        """Why a slot cannot be booked, in words for the front desk; empty if it can."""
        day = self.local_day(starts_at)
        # The bookings are in UTC: times in the same zone compare without offset sums.
        starts_at, ends_at = starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)
        found = []
        hours = self.opening.get(day.weekday())
        if day in self.closures:
            found.append(f"The clinic is closed on {day:%A %b %-d}.")
        elif hours is None:
            found.append(f"The clinic is not open on {day:%A}s.")
        elif starts_at < self.at(day, hours[0]) or ends_at > self.at(day, hours[1]):
            found.append(
                f"The session would run outside opening hours "
                f"({hours[0]:%-I:%M %p}–{hours[1]:%-I:%M %p})."
            )
        # A phone or video check-in (room_id None) holds no chair.
        if room_id is not None and room_id not in self.room_names:
            found.append("This room is not equipped for this route.")
        work = self.clinician_hours.get((clinician_id, day.weekday()))
        if work is None or starts_at < self.at(day, work[0]) or ends_at > self.at(day, work[1]):
            found.append("The monitoring clinician is not working then.")
        if any(first <= day <= last for first, last in self.time_off.get(clinician_id, ())):
            found.append("The monitoring clinician is away that day.")
        same_day = self.nearby(day, starts_at, ends_at)
        overlapping = [b for b in same_day if b.starts_at < ends_at and b.ends_at > starts_at]
        if room_id is not None:
            for busy in same_day:
                if self.chair_taken(busy, room_id=room_id, starts_at=starts_at, ends_at=ends_at):
                    found.append(
                        f"{self.room_names.get(room_id, 'The chair')} is booked "
                        f"{_span(busy, self.zone)}{busy.label}."
                    )
        if any(b.patient_id == patient_id for b in overlapping):
            found.append("The patient already has a session at that time.")
        clinician_load = [
            (b.starts_at, b.ends_at) for b in overlapping if b.clinician_id == clinician_id
        ]
        if peak_overlap(clinician_load, starts_at, ends_at) >= self.capacity:
            found.append(
                f"The monitoring clinician already has {self.capacity} patients at that time."
            )
        return found

    def free_slot_at(self, *, patient_id, starts_at, ends_at, room_ids=None):
        """A room and clinician free for [starts_at, ends_at), or None."""
        day = self.local_day(starts_at)
        starts_at, ends_at = starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)
        # Cheap filters first (busy chairs, a busy patient); problems() has the last word.
        same_day = self.nearby(day, starts_at, ends_at)
        overlapping = [b for b in same_day if b.starts_at < ends_at and b.ends_at > starts_at]
        if any(b.patient_id == patient_id for b in overlapping):
            return None
        # Only the chairs this slot could take (the route's) are looked at.
        wanted = set(room_ids) if room_ids else self.room_set
        busy_rooms = {
            b.room_id
            for b in same_day
            if b.room_id in wanted
            and self.chair_taken(b, room_id=b.room_id, starts_at=starts_at, ends_at=ends_at)
        }
        rooms = [r for r in (room_ids or self.room_ids) if r not in busy_rooms]
        if not rooms:
            return None
        for clinician_id in self.clinicians_on(day.weekday()):
            for room_id in rooms:
                slot = Slot(starts_at, ends_at, room_id, clinician_id)
                if not self.problems(patient_id=patient_id, **_as_kwargs(slot)):
                    return slot
                break  # the other rooms would fail this clinician for the same reason
        return None

    @cached_property
    def longest_turnover(self):
        return max(self.room_turnover.values(), default=NO_TURNOVER)

    @cached_property
    def room_set(self):
        return frozenset(self.room_ids)

    @cached_property
    def _clinicians_by_weekday(self):
        by_weekday = defaultdict(list)
        for clinician_id, weekday in sorted(self.clinician_hours):
            by_weekday[weekday].append(clinician_id)
        return by_weekday

    def clinicians_on(self, weekday):
        return self._clinicians_by_weekday.get(weekday, [])

    def day_slots(self, day, *, patient_id, duration, not_before=None, preference=None):
        """Free slots on one day, earliest first."""
        hours = self.opening.get(day.weekday())
        if hours is None or day in self.closures:
            return
        # Stepped in UTC (the bookings' zone); a day has no daylight-saving change
        # within opening hours.
        moment = self.at(day, hours[0]).astimezone(datetime.UTC)
        closes = self.at(day, hours[1]).astimezone(datetime.UTC)
        while moment + duration <= closes:
            if (not_before is None or moment >= not_before) and _within(
                moment, self.zone, preference
            ):
                slot = self.free_slot_at(
                    patient_id=patient_id, starts_at=moment, ends_at=moment + duration
                )
                if slot:
                    yield slot
            moment += STEP

    def next_free(self, *, patient_id, duration, after, count=3, days=7):
        """The next few free times from `after`, for a refused booking's message."""
        found = []
        day = self.local_day(after)
        for offset in range(days):
            for slot in self.day_slots(
                day + datetime.timedelta(days=offset),
                patient_id=patient_id,
                duration=duration,
                not_before=after,
            ):
                if not found or slot.starts_at != found[-1].starts_at:
                    found.append(slot)
                if len(found) == count:
                    return found
        return found


def _starts(busy):
    return busy.starts_at


def _within(moment, zone, preference):
    if preference is None or not (preference.earliest or preference.latest):
        return True
    local_time = moment.astimezone(zone).time()
    if preference.earliest and local_time < preference.earliest:
        return False
    return not (preference.latest and local_time > preference.latest)


def _as_kwargs(slot):
    return {
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "room_id": slot.room_id,
        "clinician_id": slot.clinician_id,
    }


def _span(busy, zone):
    start = busy.starts_at.astimezone(zone)
    end = busy.ends_at.astimezone(zone)
    return f"{start:%-I:%M}–{end:%-I:%M %p}"


def load_calendar(*, route, first_day, last_day, exclude_appointment_ids=(), around=()):
    """Read a window's hours, closures, rooms, clinicians, time off and bookings.

    `around`: (starts_at, ends_at) pairs when only those times will be checked (a
    booking's re-check), so only the bookings that overlap them are read, not the
    whole window's.
    """
    clinic = Clinic.load()
    zone = clinic.zone
    opening = {h.weekday: (h.opens_at, h.closes_at) for h in OpeningHours.objects.all()}
    closures = set()
    for closure in Closure.objects.overlapping(first_day, last_day):
        day = closure.starts_on
        while day <= closure.ends_on:
            closures.add(day)
            day += datetime.timedelta(days=1)
    rooms = list(
        Room.objects.filter(active=True, routes=route).values_list("pk", "name", "turnover_minutes")
    )
    clinician_hours = {
        (h.clinician_id, h.weekday): (h.starts_at, h.ends_at)
        for h in ClinicianHours.objects.filter(
            clinician__is_active=True, clinician__groups__name__in=CLINICIAN_ROLES
        )
    }
    time_off = defaultdict(list)
    for away in TimeOff.objects.overlapping(first_day, last_day):
        time_off[away.clinician_id].append((away.starts_on, away.ends_on))
    calendar = Calendar(
        zone=zone,
        capacity=clinic.patients_per_clinician,
        opening=opening,
        closures=closures,
        room_ids=[pk for pk, _, _ in rooms],
        room_names={pk: name for pk, name, _ in rooms},
        clinician_hours=clinician_hours,
        time_off=dict(time_off),
        room_turnover={pk: datetime.timedelta(minutes=m) for pk, _, m in rooms if m},
    )
    # A booking starting before the window can run into its first day.
    days = [
        first_day + datetime.timedelta(days=n) for n in range(-1, (last_day - first_day).days + 2)
    ]
    # In UTC, like the rows: comparing datetimes of two time zones costs far more.
    midnights = [calendar.at(day, datetime.time()).astimezone(datetime.UTC) for day in days]
    bookings = Appointment.objects.active().exclude(pk__in=list(exclude_appointment_ids))
    if around:
        # Bookings that touch the times through a chair's turnover, before or after, too.
        reach = calendar.longest_turnover
        bookings = bookings.overlapping_any([(start - reach, end + reach) for start, end in around])
    else:
        bookings = bookings.overlapping(midnights[1], midnights[-1])
    rows = bookings.order_by().values_list(
        "starts_at", "ends_at", "room_id", "clinician_id", "patient_id", "chair_until"
    )
    busy_by_day = calendar.busy_by_day
    longest = NO_TURNOVER
    for row in rows:
        # The local day by the window's midnights: thousands of rows, no time zone sums.
        day = days[bisect.bisect_right(midnights, row[0]) - 1]
        busy = Busy(*row)
        busy_by_day[day].append(busy)
        longest = max(longest, busy.chair_free_at - busy.starts_at)
    for same_day in busy_by_day.values():
        same_day.sort(key=_starts)
    calendar.longest_booking = longest
    return calendar


def series_window(version, first_day, *, wide=False):
    """The days a series is planned in: its own weeks and a little slack, or the horizon.

    A busy book is read only as far as the series needs; the wide window is read
    only when the series does not fit in the narrow one.
    """
    if wide:
        weeks = max(HORIZON_WEEKS, sum(p["weeks"] for p in version.phases) * 2)
    else:
        weeks = version.weeks_needed + SLACK_WEEKS
    return first_day, first_day + datetime.timedelta(weeks=weeks)


def plan_series(
    calendar, *, version, duration, first_day, last_day, patient_id, preference, not_before
):
    """A slot for every session of the series, or as many as fit in the horizon.

    Each week of the series (counted from `first_day`) takes at most the
    protocol's sessions per week, and sessions start at least the protocol's
    minimum hours apart. Preferred weekdays and times are kept strictly here;
    `series_propose()` retries without them when they cannot be met.
    """
    per_week_count = defaultdict(int)
    slots = []
    day = first_day
    while len(slots) < version.session_count and day <= last_day:
        week = version.week_of(day, first_day=first_day)
        if per_week_count[week] < version.per_week_in(week) and (
            not preference.weekdays or day.weekday() in preference.weekdays
        ):
            earliest = not_before
            if slots:
                earliest = max(earliest, slots[-1].starts_at + version.minimum_gap)
            slot = next(
                calendar.day_slots(
                    day,
                    patient_id=patient_id,
                    duration=duration,
                    not_before=earliest,
                    preference=preference,
                ),
                None,
            )
            if slot:
                slots.append(slot)
                per_week_count[week] += 1
                calendar.add(calendar.busy_of(slot, patient_id))
        day += datetime.timedelta(days=1)
    return slots


@dataclass
class Proposal:
    slots: list
    preferences_kept: bool
    complete: bool


def series_propose(*, plan, not_before):
    """Proposed times for every session of a plan, from the plan's first day.

    Tried in order: the patient's preferences in the series' own weeks, then in
    the wide window, then without preferences in each. Each window's book is read
    once (in a fixed number of queries) and copied for each try.

    A first day beyond the planning range (an order typed with the wrong year) gets
    no proposal rather than calendar arithmetic near the end of the date range.
    """
    version = plan.protocol_version
    route = version.route
    if plan.first_day > not_before.date() + PLANNING_RANGE:
        return Proposal([], True, False)
    duration = datetime.timedelta(minutes=route.session_minutes)
    preference = Preference.for_patient(plan.patient)
    attempts = [(preference, True)]
    if preference != Preference():
        attempts.append((Preference(), False))
    calendars = {}
    best = None
    for attempt, kept in attempts:
        for wide in (False, True):
            first_day, last_day = series_window(version, plan.first_day, wide=wide)
            if wide not in calendars:
                if wide:
                    # The series' own weeks are read already: only the days after them.
                    narrow_last = series_window(version, plan.first_day)[1]
                    calendars[wide] = calendars[False].extended(
                        load_calendar(
                            route=route,
                            first_day=narrow_last + datetime.timedelta(days=1),
                            last_day=last_day,
                        )
                    )
                else:
                    calendars[wide] = load_calendar(
                        route=route, first_day=first_day, last_day=last_day
                    )
            slots = plan_series(
                calendars[wide].copy(),
                version=version,
                duration=duration,
                first_day=first_day,
                last_day=last_day,
                patient_id=plan.patient_id,
                preference=attempt,
                not_before=not_before,
            )
            best = Proposal(slots, kept, len(slots) == version.session_count)
            if best.complete:
                return best
    return best
