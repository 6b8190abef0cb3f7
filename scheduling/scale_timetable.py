"""The chairs' and clinicians' time for `seed_scale`, laid out so that nothing can overlap.

Each open day, every chair has fixed slots (120 minutes where it has an infusion
pump, 150 in a quiet room for esketamine), and chairs are monitored in groups of
`Clinic.patients_per_clinician` by one rostered clinician whose group shares the
same slots: a clinician never has more patients at once than the clinic allows,
no chair holds two bookings, and a patient comes at most once a day. Clinicians
not needed on the chairs that day take phone and video calls, one at a time.
A follow-up visit takes a 30-minute part of a chair's slot.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

INFUSION_SLOT = 120
QUIET_SLOT = 150
VISIT_MINUTES = 30
CALL_GRID = 20


@dataclass(frozen=True)
class Booking:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None
    clinician_id: int


class Timetable:
    def __init__(
        self,
        *,
        seed,
        zone,
        days,
        opening,
        rooms,
        clinician_days,
        capacity,
        blocked_rooms=(),
        blocked_clinicians=(),
        visit_share=0.0,
    ):
        """
        days: open days, in order; opening: weekday -> (opens, closes);
        rooms: room id -> set of route codes; clinician_days: clinician id -> set of days
        worked; blocked_*: (room id, starts, ends) and (clinician id, day) already taken;
        visit_share: the share of chair slots kept for follow-up visits.
        """
        self.zone = zone
        self.days = list(days)
        self.index = {day: i for i, day in enumerate(self.days)}
        self.room_routes = rooms
        self.slot_minutes = {
            room: QUIET_SLOT if "iv" not in codes else INFUSION_SLOT
            for room, codes in rooms.items()
        }
        self.patient_days = defaultdict(set)
        self.sessions = {}  # (day index, slot minutes) -> free (start, room, clinician)
        self.visits = defaultdict(list)  # (day index, slot minutes) -> free visit parts
        self.calls = {}  # day index -> free (start, clinician)
        self.roster = {}
        blocked_room_times = defaultdict(list)
        for room_id, starts, ends in blocked_rooms:
            blocked_room_times[room_id].append((starts, ends))
        blocked = set(blocked_clinicians)
        groups = []
        for minutes in (INFUSION_SLOT, QUIET_SLOT):
            same = sorted(room for room, length in self.slot_minutes.items() if length == minutes)
            groups += [(minutes, same[i : i + capacity]) for i in range(0, len(same), capacity)]
        for i, day in enumerate(self.days):
            rng = random.Random(f"{seed}:roster:{day.isoformat()}")
            working = sorted(
                c
                for c, worked in clinician_days.items()
                if day in worked and (c, day) not in blocked
            )
            rng.shuffle(working)
            opens, closes = opening[day.weekday()]
            day_open = datetime.datetime.combine(day, opens, tzinfo=zone)
            day_close = datetime.datetime.combine(day, closes, tzinfo=zone)
            for (minutes, group), clinician in zip(groups, working, strict=False):
                free = self.sessions.setdefault((i, minutes), [])
                start = day_open
                length = datetime.timedelta(minutes=minutes)
                while start + length <= day_close:
                    for room in group:
                        if not any(
                            s < start + length and e > start for s, e in blocked_room_times[room]
                        ):
                            free.append((start, room, clinician))
                    start += length
            on_calls = working[len(groups) :]
            self.roster[day] = (working[: len(groups)], on_calls)
            call_slots = []
            start = day_open
            while start + datetime.timedelta(minutes=CALL_GRID) <= day_close:
                call_slots += [(start, clinician) for clinician in on_calls]
                start += datetime.timedelta(minutes=CALL_GRID)
            self.calls[i] = call_slots
        rng = random.Random(f"{seed}:visits")
        for (i, length), free in self.sessions.items():
            # Bookings land anywhere in the day, as patients' preferences would put them.
            rng.shuffle(free)
            for _ in range(int(len(free) * visit_share + rng.random())):
                self._split_for_visits(i, length, free.pop())
        for free in self.calls.values():
            free.reverse()  # popped from the end: the morning first

    def first_open_day(self, day):
        """The index of `day`, or of the next open day after it; None past the end."""
        while day not in self.index:
            day += datetime.timedelta(days=1)
            if day > self.days[-1]:
                return None
        return self.index[day]

    def _take(self, free, route):
        for position in range(len(free) - 1, -1, -1):
            if route in self.room_routes[free[position][1]]:
                if position == len(free) - 1:
                    return free.pop()
                found = free[position]
                free[position] = free[-1]
                free.pop()
                return found
        return None

    def session(self, *, patient_id, route, minutes, not_before, within_days=30):
        """A chair and clinician on the first day from `not_before` with room; None if none."""
        start_index = self.first_open_day(not_before)
        if start_index is None:
            return None
        busy = self.patient_days[patient_id]
        lengths = [m for m in (INFUSION_SLOT, QUIET_SLOT) if m >= minutes]
        for i in range(start_index, min(start_index + within_days, len(self.days))):
            if i in busy:
                continue
            for length in lengths:
                found = self._take(self.sessions.get((i, length), ()), route)
                if found:
                    start, room, clinician = found
                    busy.add(i)
                    return Booking(
                        start, start + datetime.timedelta(minutes=minutes), room, clinician
                    )
        return None

    def release(self, booking, *, patient_id):
        """A cancelled booking gives its chair back for someone else."""
        i = self.index[booking.starts_at.astimezone(self.zone).date()]
        self.patient_days[patient_id].discard(i)
        length = self.slot_minutes[booking.room_id]
        self.sessions.setdefault((i, length), []).append(
            (booking.starts_at, booking.room_id, booking.clinician_id)
        )

    def any_chair(self, *, route, day, minutes):
        """A chair time for a row that holds nothing (a session cancelled long before)."""
        i = self.first_open_day(day)
        if i is None:
            return None
        opens = datetime.datetime.combine(self.days[i], datetime.time(8), tzinfo=self.zone)
        room = min(r for r, codes in self.room_routes.items() if route in codes)
        chair_duty = self.roster[self.days[i]][0] or self.roster[self.days[i]][1]
        if not chair_duty:
            return None
        return Booking(opens, opens + datetime.timedelta(minutes=minutes), room, chair_duty[0])

    def visit(self, *, patient_id, route, not_before, within_days=7):
        """A 30-minute in-person follow-up in a chair equipped for the route."""
        start_index = self.first_open_day(not_before)
        if start_index is None:
            return None
        busy = self.patient_days[patient_id]
        for i in range(start_index, min(start_index + within_days, len(self.days))):
            if i in busy:
                continue
            for length in (INFUSION_SLOT, QUIET_SLOT):
                parts = self.visits[(i, length)]
                found = self._take(parts, route)
                if found is None:
                    slot = self._take(self.sessions.get((i, length), ()), route)
                    if slot is None:
                        continue
                    self._split_for_visits(i, length, slot)
                    found = self._take(parts, route)
                start, room, clinician = found
                busy.add(i)
                return Booking(
                    start, start + datetime.timedelta(minutes=VISIT_MINUTES), room, clinician
                )
        return None

    def _split_for_visits(self, i, length, slot):
        start, room, clinician = slot
        step = datetime.timedelta(minutes=VISIT_MINUTES)
        self.visits[(i, length)] += [
            (start + step * n, room, clinician) for n in range(length // VISIT_MINUTES)
        ]

    def call(self, *, patient_id, minutes, not_before, within_days=7):
        """A phone or video check-in: a clinician on calls that day, no chair."""
        start_index = self.first_open_day(not_before)
        if start_index is None:
            return None
        busy = self.patient_days[patient_id]
        for i in range(start_index, min(start_index + within_days, len(self.days))):
            if i in busy or not self.calls.get(i):
                continue
            start, clinician = self.calls[i].pop()
            busy.add(i)
            return Booking(start, start + datetime.timedelta(minutes=minutes), None, clinician)
        return None

    def free_session_slots(self):
        return sum(len(free) for free in self.sessions.values())
