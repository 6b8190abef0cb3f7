"""Scale data for scheduling: hours, series, three years of sessions and their records.

Registered with `clinic.scale` in SchedulingConfig.ready(). Sessions are placed
day by day in the order patients need them (a heap of next-session requests), on
the timetable of scheduling.scale_timetable, so the exclusion constraints and the
clinician capacity hold by construction; PostgreSQL checks the first two anyway.
"""

import contextlib
import datetime
import heapq
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery

from clinic.models import Closure, OpeningHours, Patient, PatientStatus, Route
from clinic.scale import BulkWriter, IdAllocator, Stage
from scheduling.models import (
    UNFINISHED_STATUSES,
    Appointment,
    CalendarFeed,
    ClinicianHours,
    Observation,
    Protocol,
    RemsEnrollment,
    SchedulingPreference,
    SessionRecord,
    TimeOff,
    TreatmentPlan,
)
from scheduling.models.records import REMS_DAYS
from scheduling.scale_timetable import Timetable

# The protocols' default (Protocol.rebook_within_days).
REBOOK_WITHIN_DAYS = 14

PAST_CANCELLED = 0.065  # plus the rest of the series of those who drop out: about 7% in all
PAST_NO_SHOW = 0.05
FUTURE_CANCELLED = 0.05
VISIT_SHARE = 0.025  # of chair slots, kept for 30-minute follow-up visits
OBSERVED_DAYS = 45  # monitoring observations are kept for sessions this recent
REMS_NEVER_SENT = 0.003
PLAN_DOSES = {
    "iv": (Decimal("0.5"), "mg/kg"),
    "im": (Decimal("0.5"), "mg/kg"),
    "sc": (Decimal("0.5"), "mg/kg"),
    "oral": (Decimal("150"), "mg"),
    "intranasal": (Decimal("56"), "mg"),
}
# Days from one induction session to the next target, by route and session number.
INDUCTION_GAPS = {
    "iv": lambda n: 2,
    "im": lambda n: 3,
    "sc": lambda n: 3,
    "oral": lambda n: 7,
    "intranasal": lambda n: 3 if n < 8 else 7,
}
HOLIDAYS = [(1, 1, "New Year's Day"), (7, 4, "Independence Day"), (12, 25, "Christmas Day")]


@dataclass
class Series:
    """What follow-ups and scores need to know about one patient's treatment."""

    patient_id: int
    plan_id: int
    provider_id: int
    route: str
    completed: list = field(default_factory=list)  # (starts_at, appointment id), in order
    induction_done: int = 0
    ended_on: datetime.date | None = None  # the day of the series' last completed session
    active: bool = False  # still has a session booked
    plan_active: bool = False  # a session of the series itself is still booked
    plan_last: datetime.datetime | None = None


@dataclass
class _Patient:
    journey: object
    series: Series
    session_count: int
    minutes: int
    booked_at: datetime.datetime
    sequence: int = 1
    induction_left: int = 0
    maintenance_left: int = 0
    drop_after: int | None = None


CAPACITY_TRIGGER = "appointment_within_clinician_capacity"  # migration 0008


@contextlib.contextmanager
def seeder_keeps_capacity():
    """PostgreSQL's capacity trigger off while a seeder writes the bookings it placed itself.

    The timetable keeps every clinician within the clinic's capacity by construction (the
    seed_scale test checks it); the trigger checking 200,000 rows one by one would add
    minutes. Both switches are part of the seeder's transaction, so if the seeder fails
    the trigger was never off. The exclusion constraints still check every row.
    """
    if connection.vendor != "postgresql":
        yield
        return
    assert connection.in_atomic_block, "only inside the seeder's transaction"
    _switch_capacity_trigger("DISABLE")
    yield
    _switch_capacity_trigger("ENABLE")


def _switch_capacity_trigger(switch):
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign key check: run the pending ones now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE scheduling_appointment {switch} TRIGGER {CAPACITY_TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def seed_scale(context):
    with seeder_keeps_capacity():
        _seed(context)


def _seed(context):
    rng = context.rng("scheduling")
    writer = BulkWriter(context)
    routes = {route.code: route for route in Route.objects.all()}
    protocols = {p.route_id: p for p in Protocol.objects.filter(active=True).order_by("pk")}
    versions = {code: protocol.snapshot() for code, protocol in protocols.items()}
    _closures(context)
    clinician_days = _clinician_hours(context, rng, writer)
    timetable = _timetable(context, clinician_days)
    context.progress(
        f"Timetable: {len(timetable.days)} open days, "
        f"{timetable.free_session_slots():,} chair slots"
    )
    series = _sessions(context, rng, writer, timetable, routes, versions)
    writer.close()
    _patient_statuses(context, writer, series)
    _enrollments_and_preferences(context, rng, writer)
    writer.close()
    ended = _end_series(context)
    context.progress(f"Series ended: {ended['completed']:,} completed, {ended['closed']:,} closed")
    context.shared["timetable"] = timetable
    context.shared["series"] = series
    context.shared["routes"] = routes
    context.progress(f"Scheduling done: {timetable.free_session_slots():,} chair slots left free")


def _closures(context):
    for year in range(context.first_day.year, context.last_day.year + 1):
        days = [(datetime.date(year, m, d), reason) for m, d, reason in HOLIDAYS]
        november = datetime.date(year, 11, 1)
        thanksgiving = november + datetime.timedelta(days=(3 - november.weekday()) % 7 + 21)
        days.append((thanksgiving, "Thanksgiving"))
        for day, reason in days:
            if context.first_day <= day <= context.last_day:
                Closure.objects.get_or_create(
                    starts_on=day, ends_on=day, defaults={"reason": reason}
                )


def _clinician_hours(context, rng, writer):
    """Working hours (some part-time, some Saturdays) and two weeks away a year."""
    opening = {h.weekday: (h.opens_at, h.closes_at) for h in OpeningHours.objects.all()}
    existing = {
        (h.clinician_id, h.weekday)
        for h in ClinicianHours.objects.filter(clinician_id__in=context.clinician_ids)
    }
    weekdays_of = {}
    joined = context.at(context.first_day, 8) - datetime.timedelta(days=30)
    for index, clinician in enumerate(context.clinician_ids):
        has_hours = {wd for c, wd in existing if c == clinician}
        if has_hours:
            weekdays_of[clinician] = has_hours
            continue
        days = {0, 1, 2, 3, 4}
        if index % 5 in (1, 3):
            days.discard(index % 5 + rng.randrange(2))  # four days a week
        if index % 3 == 0 and 5 in opening:
            days.add(5)
        weekdays_of[clinician] = days
        for weekday in sorted(days):
            opens, closes = opening.get(weekday, (datetime.time(8), datetime.time(18)))
            writer.add(
                ClinicianHours(
                    clinician_id=clinician, weekday=weekday, starts_at=opens, ends_at=closes
                ),
                history=[(joined, context.staff_ids.get("admin"), "+", {})],
            )
    away = {}
    for clinician in context.clinician_ids:
        day = context.first_day + datetime.timedelta(days=rng.randrange(60))
        while day < context.last_day:
            first = day - datetime.timedelta(days=day.weekday())
            last = first + datetime.timedelta(days=4)
            writer.add(
                TimeOff(clinician_id=clinician, starts_on=first, ends_on=last, reason="Vacation"),
                history=[(context.at(first, 8) - datetime.timedelta(days=40), None, "+", {})],
            )
            away.setdefault(clinician, set()).update(
                first + datetime.timedelta(days=n) for n in range(5)
            )
            day += datetime.timedelta(days=rng.randrange(150, 210))
    writer.flush()
    days = _open_days(context, opening)
    return {
        c: {d for d in days if d.weekday() in weekdays_of[c] and d not in away.get(c, ())}
        for c in context.clinician_ids
    }


def _open_days(context, opening):
    closed = set()
    for closure in Closure.objects.overlapping(context.first_day, context.last_day):
        span = (closure.ends_on - closure.starts_on).days
        closed.update(closure.starts_on + datetime.timedelta(days=n) for n in range(span + 1))
    day, days = context.first_day, []
    while day <= context.last_day:
        if day.weekday() in opening and day not in closed:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _timetable(context, clinician_days):
    opening = {h.weekday: (h.opens_at, h.closes_at) for h in OpeningHours.objects.all()}
    rooms = {room_id: set() for room_id in context.room_ids}
    Through = Route.rooms.through
    for room_id, route_id in Through.objects.filter(room_id__in=rooms).values_list(
        "room_id", "route_id"
    ):
        rooms[room_id].add(route_id)
    # The demo's own bookings keep their chairs until the end of their turnover, and their
    # clinicians do nothing else that day.
    existing = Appointment.objects.active().values_list(
        "room_id", "clinician_id", "starts_at", "ends_at", "chair_until"
    )
    blocked_rooms, blocked_clinicians = [], []
    for room_id, clinician_id, starts, ends, chair_until in existing:
        blocked_rooms.append((room_id, starts, chair_until or ends))
        blocked_clinicians.append((clinician_id, starts.astimezone(context.zone).date()))
    return Timetable(
        seed=context.seed,
        zone=context.zone,
        days=_open_days(context, opening),
        opening=opening,
        rooms=rooms,
        clinician_days=clinician_days,
        capacity=context.capacity,
        blocked_rooms=blocked_rooms,
        blocked_clinicians=blocked_clinicians,
        visit_share=VISIT_SHARE,
    )


def _sessions(context, rng, writer, timetable, routes, versions):
    """Every treated patient's series, and boosters after it, in the order they fall due."""
    ids = IdAllocator(context.batch_size)
    frontdesk = context.staff_ids.get("frontdesk")
    heap, states, series_list = [], {}, []
    for journey in context.journeys:
        if journey.stage not in (Stage.TREATED, Stage.CLEARED):
            continue
        version = versions[journey.route]
        provider = context.provider_ids[int(rng.paretovariate(1.5)) % len(context.provider_ids)]
        dose, unit = PLAN_DOSES[journey.route]
        if journey.stage == Stage.CLEARED:
            first_day = context.today + datetime.timedelta(days=rng.randrange(1, 15))
            ordered = context.now - datetime.timedelta(hours=rng.randrange(2, 200))
        else:
            first_day = journey.start_on
            ordered = context.at(first_day, 10) - datetime.timedelta(days=rng.randrange(3, 10))
            ordered = min(ordered, context.now - datetime.timedelta(hours=1))
        plan = TreatmentPlan(
            pk=ids.next(TreatmentPlan),
            patient_id=journey.patient_id,
            protocol_version_id=version.pk,
            dose=dose,
            dose_unit=unit,
            first_day=first_day,
            status=(
                TreatmentPlan.Status.DRAFT
                if journey.stage == Stage.CLEARED
                else TreatmentPlan.Status.CONFIRMED
            ),
            ordered_by_id=provider,
            created_at=ordered,
        )
        booked_at = min(ordered + datetime.timedelta(hours=rng.randrange(2, 48)), context.now)
        history = [(ordered, provider, "+", {"status": TreatmentPlan.Status.DRAFT})]
        if plan.status == TreatmentPlan.Status.CONFIRMED:
            history.append((booked_at, frontdesk, "~", {}))
        writer.add(plan, history=history)
        if journey.stage == Stage.CLEARED:
            continue
        state = _Patient(
            journey=journey,
            series=Series(journey.patient_id, plan.pk, provider, journey.route),
            session_count=version.session_count,
            minutes=routes[journey.route].session_minutes,
            booked_at=booked_at,
            induction_left=version.session_count,
            maintenance_left=journey.maintenance,
            drop_after=rng.randrange(1, version.session_count) if journey.drops_out else None,
        )
        states[journey.patient_id] = state
        series_list.append(state.series)
        heapq.heappush(heap, (journey.start_on, journey.patient_id))
    writer.flush(TreatmentPlan)
    context.progress(f"Plans: {len(series_list):,} booked series, drafts for the cleared")

    sessions = _SessionWriter(context, rng, writer, ids, routes)
    placed = 0
    while heap:
        target, patient_id = heapq.heappop(heap)
        state = states[patient_id]
        in_induction = state.induction_left > 0
        if (
            in_induction
            and state.drop_after is not None
            and state.series.induction_done >= state.drop_after
        ):
            # Stopped coming: the rest of the booked series is cancelled.
            while state.induction_left:
                booking = timetable.any_chair(
                    route=state.series.route, day=target, minutes=state.minutes
                )
                if booking is None:
                    break
                sessions.write(state, booking, "dropped")
                state.induction_left -= 1
                state.sequence += 1
                target = _local_day(context, booking) + datetime.timedelta(days=3)
            state.induction_left = state.maintenance_left = 0
            continue
        booking = timetable.session(
            patient_id=patient_id,
            route=state.series.route,
            minutes=state.minutes,
            not_before=target,
        )
        if booking is None:
            continue  # past the end of the data set, or the chairs are full for a month
        outcome = _outcome(context, rng, booking)
        sessions.write(state, booking, outcome)
        placed += 1
        if placed % 25000 == 0:
            context.progress(f"  {placed:,} sessions placed")
        day = _local_day(context, booking)
        if outcome in ("cancelled", "no_show"):
            if outcome == "cancelled" and rng.random() < 0.6:
                timetable.release(booking, patient_id=patient_id)
            heapq.heappush(heap, (day + datetime.timedelta(days=rng.randrange(1, 4)), patient_id))
            continue
        if in_induction:
            state.induction_left -= 1
            state.sequence += 1
            if state.induction_left:
                gap = INDUCTION_GAPS[state.series.route](state.series.induction_done)
                heapq.heappush(heap, (day + datetime.timedelta(days=gap), patient_id))
                continue
        elif state.maintenance_left:
            state.maintenance_left -= 1
        if state.maintenance_left:
            if state.series.route == "intranasal":
                gap = rng.choice((7, 14, 14))
            else:
                gap = rng.randrange(21, 49)
            heapq.heappush(heap, (day + datetime.timedelta(days=gap), patient_id))
    writer.flush()
    for state in states.values():
        series = state.series
        # A series ends when none of its own sessions is still booked (boosters are not in it).
        if series.plan_last and not series.plan_active:
            series.ended_on = series.plan_last.astimezone(context.zone).date()
    context.progress(f"Sessions: {placed:,} placed")
    return series_list


def _local_day(context, booking):
    return booking.starts_at.astimezone(context.zone).date()


def _outcome(context, rng, booking):
    now = context.now
    roll = rng.random()
    if booking.ends_at <= now:
        if roll < PAST_CANCELLED:
            return "cancelled"
        if roll < PAST_CANCELLED + PAST_NO_SHOW:
            return "no_show"
        return "completed"
    if booking.starts_at <= now:
        return "checked_in"
    return "cancelled" if roll < FUTURE_CANCELLED else "booked"


STATUS_OF_OUTCOME = {
    "dropped": Appointment.Status.CANCELLED,
    "cancelled": Appointment.Status.CANCELLED,
    "no_show": Appointment.Status.NO_SHOW,
    "completed": Appointment.Status.COMPLETED,
    "checked_in": Appointment.Status.CHECKED_IN,
    "booked": Appointment.Status.BOOKED,
}
BOOKED_STATE = {"status": Appointment.Status.BOOKED, "cancel_reason": "", "checked_in_at": None}
CHECKED_IN_STATE = {"status": Appointment.Status.CHECKED_IN}
# What a record looked like after the pre-dose step.
AFTER_DOSE = {
    "ready_to_leave_at": None,
    "discharged_at": None,
    "discharge_criteria_met": False,
    "vitals_acceptable_at_end": False,
    "released_to_escort": False,
    "signed_by_id": None,
    "signed_at": None,
    "rems_submitted_at": None,
}
AFTER_PRE_DOSE = {
    **AFTER_DOSE,
    "dose_amount": None,
    "dose_unit": "",
    "lot_number": "",
    "dose_started_at": None,
    "dose_ended_at": None,
}
NOT_YET_SENT = {"rems_submitted_at": None}


class _SessionWriter:
    """One session row, its history, and for a held session the nurse's record."""

    def __init__(self, context, rng, writer, ids, routes):
        self.context, self.rng, self.writer, self.ids = context, rng, writer, ids
        self.parts = {
            code: (r.preparation_minutes, r.administration_minutes, r.monitoring_minutes)
            for code, r in routes.items()
        }
        self.booked_by = context.staff_ids.get("frontdesk")
        self.observed_from = context.now - datetime.timedelta(days=OBSERVED_DAYS)

    def write(self, state, booking, outcome):
        context, rng, series = self.context, self.rng, state.series
        in_series = state.induction_left > 0
        if in_series:
            created = min(state.booked_at, booking.starts_at - datetime.timedelta(hours=2))
        else:
            created = booking.starts_at - datetime.timedelta(days=rng.randrange(3, 21))
        created = min(created, context.now)
        status = STATUS_OF_OUTCOME[outcome]
        preparation, administration, monitoring = self.parts[series.route]
        checked_in_at = None
        if status in (Appointment.Status.COMPLETED, Appointment.Status.CHECKED_IN):
            checked_in_at = booking.starts_at - datetime.timedelta(minutes=rng.randrange(0, 12))
        cancel_reason = ""
        if status == Appointment.Status.NO_SHOW:
            cancel_reason = Appointment.CancelReason.NO_SHOW
        elif status == Appointment.Status.CANCELLED:
            cancel_reason = (
                Appointment.CancelReason.CLINIC
                if rng.random() < 0.15
                else Appointment.CancelReason.PATIENT
            )
        appointment = Appointment(
            pk=self.ids.next(Appointment),
            patient_id=series.patient_id,
            plan_id=series.plan_id if in_series else None,
            sequence=state.sequence if in_series else None,
            route_id=series.route,
            kind=Appointment.Kind.SESSION,
            room_id=booking.room_id,
            clinician_id=booking.clinician_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            chair_until=booking.ends_at,  # booked as the timetable packs them: no turnover
            preparation_minutes=preparation,
            administration_minutes=administration,
            monitoring_minutes=monitoring,
            status=status,
            cancel_reason=cancel_reason,
            checked_in_at=checked_in_at,
            booked_by_id=self.booked_by,
            created_at=created,
        )
        history = [(created, self.booked_by, "+", BOOKED_STATE)]
        if checked_in_at:
            history.append((checked_in_at, self.booked_by, "~", CHECKED_IN_STATE))
        if status == Appointment.Status.CANCELLED:
            when = booking.starts_at - datetime.timedelta(hours=rng.randrange(2, 72))
            history.append((max(min(when, context.now), created), self.booked_by, "~", {}))
        elif status == Appointment.Status.NO_SHOW:
            history.append((booking.ends_at, self.booked_by, "~", {}))
        if status == Appointment.Status.COMPLETED:
            record = self.record(appointment, state)
            history.append((record.signed_at, booking.clinician_id, "~", {}))
            series.completed.append((booking.starts_at, appointment.pk))
            if in_series:
                series.induction_done += 1
                series.plan_last = booking.starts_at
        elif status == Appointment.Status.CHECKED_IN:
            self.record(appointment, state)
            series.active = True
            series.plan_active = series.plan_active or in_series
        elif status == Appointment.Status.BOOKED:
            series.active = True
            series.plan_active = series.plan_active or in_series
        self.writer.add(appointment, history=history)

    def record(self, appointment, state):
        """Checklist and vitals, the dose, monitoring, discharge and signature."""
        context, rng = self.context, self.rng
        nurse = appointment.clinician_id
        start = appointment.starts_at
        vitals_at = start + datetime.timedelta(minutes=rng.randrange(3, 10))
        systolic = round(rng.gauss(124, 13))
        diastolic = round(rng.gauss(79, 8))
        record = SessionRecord(
            pk=self.ids.next(SessionRecord),
            appointment_id=appointment.pk,
            escort_confirmed=True,
            fasting_kept=True,
            no_health_changes=True,
            concomitant_benzodiazepines=rng.random() < 0.12,
            concomitant_sedative_hypnotics=rng.random() < 0.05,
            concomitant_psychostimulants=rng.random() < 0.04,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=round(rng.gauss(74, 9)),
            spo2=rng.choice((96, 97, 98, 98, 99, 99, 100)),
            vitals_at=vitals_at,
        )
        if systolic > 140 or diastolic > 90:
            record.hold_raised_at = vitals_at
            record.hold_systolic, record.hold_diastolic = systolic, diastolic
            record.hold_decision = SessionRecord.HoldDecision.PROCEED
            record.hold_decided_by_id = state.series.provider_id
            record.hold_decided_at = vitals_at + datetime.timedelta(minutes=4)
            record.hold_note = "Repeat reading lower; proceed."
        history = [(vitals_at, nurse, "+", AFTER_PRE_DOSE)]
        dose_start = start + datetime.timedelta(
            minutes=appointment.preparation_minutes + rng.randrange(0, 4)
        )
        if dose_start > context.now:
            self.writer.add(record, history=history)
            return record
        dose, unit = PLAN_DOSES[appointment.route_id]
        if appointment.route_id == "intranasal" and state.series.induction_done:
            dose = Decimal(rng.choice(("56", "84", "84")))
        record.dose_amount, record.dose_unit = dose, unit
        record.lot_number = f"LOT-{start.year}-{rng.randrange(100, 999)}"
        record.dose_started_at = dose_start
        record.dose_ended_at = dose_start + datetime.timedelta(
            minutes=appointment.administration_minutes
        )
        if start >= self.observed_from:
            self.observations(record, appointment.route_id, nurse)
        if appointment.status == Appointment.Status.COMPLETED:
            discharged = record.dose_ended_at + datetime.timedelta(
                minutes=appointment.monitoring_minutes + rng.randrange(0, 6)
            )
            record.ready_to_leave_at = record.discharged_at = discharged
            record.discharge_criteria_met = record.vitals_acceptable_at_end = True
            record.released_to_escort = True
            record.signed_by_id = nurse
            record.signed_at = discharged + datetime.timedelta(minutes=rng.randrange(3, 20))
            if appointment.route_id == "intranasal":
                record.rems_due_on = dose_start.astimezone(context.zone).date() + (
                    datetime.timedelta(days=REMS_DAYS)
                )
            if appointment.route_id == "intranasal" and rng.random() > REMS_NEVER_SENT:
                sent = record.signed_at + datetime.timedelta(hours=rng.randrange(4, 7 * 24))
                record.rems_submitted_at = sent if sent < context.now else None
            # One change row for the dose, discharge and signature (each step saves in fact).
            history.append((record.signed_at, nurse, "~", NOT_YET_SENT))
            if record.rems_submitted_at:
                history.append((record.rems_submitted_at, nurse, "~", {}))
        self.writer.add(record, history=history)
        return record

    def observations(self, record, route, nurse):
        rng = self.rng
        offsets = OBSERVATION_MINUTES.get(route, (15, 40, 60))
        for offset in offsets:
            at = record.dose_started_at + datetime.timedelta(minutes=offset)
            if at > self.context.now:
                break
            observation = Observation(
                record_id=record.pk,
                at=at,
                systolic=round(rng.gauss(131 if offset == 40 else 122, 12)),
                diastolic=round(rng.gauss(80, 8)),
                heart_rate=round(rng.gauss(76, 9)),
                spo2=rng.choice((96, 97, 98, 99)),
                moaas=5 if offset > 30 or rng.random() < 0.7 else 4,
                dissociation=offset <= 40 and rng.random() < 0.3,
                nausea=rng.random() < 0.05,
                recorded_by_id=nurse,
            )
            self.writer.add(observation, history=[(at, nurse, "+", {})])


# Minutes after the dose starts: every 15 minutes through an infusion and after it;
# for esketamine before dosing, at 40 minutes and before discharge.
OBSERVATION_MINUTES = {
    "iv": (10, 25, 40, 55, 70, 85),
    "intranasal": (10, 40, 90, 125),
}


def _patient_statuses(context, writer, series_list):
    """Where each treated patient is now, from their sessions; a history row per change."""
    recent = context.now - datetime.timedelta(days=45)
    changes = {}
    for series in series_list:
        last = series.completed[-1][0] if series.completed else None
        if series.active:
            status = (
                PatientStatus.MAINTENANCE
                if len(series.completed) > series.induction_done
                else PatientStatus.IN_TREATMENT
            )
        elif last and last > recent:
            status = PatientStatus.IN_TREATMENT
        elif last:
            status = PatientStatus.DISCHARGED
        else:
            status = PatientStatus.CLEARED
        changes.setdefault(status, []).append(series)
    for status, group in changes.items():
        Patient.objects.filter(pk__in=[s.patient_id for s in group]).update(status=status)
        for series in group:
            patient = context.patients[series.patient_id]
            patient.status = status
            if not series.completed:
                continue
            history = [(series.completed[0][0], None, "~", {"status": PatientStatus.IN_TREATMENT})]
            if status == PatientStatus.DISCHARGED:
                history.append((last_plus(series.completed[-1][0], 30), None, "~", {}))
            writer.add_history(patient, history)
    writer.flush()


def last_plus(moment, days):
    return moment + datetime.timedelta(days=days)


def _enrollments_and_preferences(context, rng, writer):
    for journey in context.journeys:
        if journey.route == "intranasal" and (journey.stage == Stage.TREATED or rng.random() < 0.7):
            day = (journey.start_on or context.today) - datetime.timedelta(
                days=rng.randrange(2, 10)
            )
            day = min(day, context.today)
            enrollment = RemsEnrollment(
                patient_id=journey.patient_id,
                enrolled_on=day,
                patient_signed=True,
                prescriber_signed=True,
                prescriber_id=context.provider_ids[0],
            )
            enrollment.recorded_at = context.at(day, 11)
            writer.add(enrollment, history=[(enrollment.recorded_at, None, "+", {})])
        if journey.stage == Stage.TREATED and rng.random() < 0.15:
            earliest = datetime.time(rng.choice((8, 9, 10)))
            when = context.at(journey.start_on, 9) - datetime.timedelta(days=10)
            writer.add(
                SchedulingPreference(
                    patient_id=journey.patient_id,
                    weekdays=sorted(rng.sample(range(5), rng.randrange(2, 5))),
                    earliest_start=earliest,
                ),
                history=[(min(when, context.now), None, "+", {})],
            )
    for clinician in context.clinician_ids[::2]:
        CalendarFeed.objects.get_or_create(clinician_id=clinician)


def _end_series(context):
    """The state the worker's scan (`scheduling.plans.plans_end_finished`) would leave, in bulk.

    One grouped query over the series' sessions, then one UPDATE per state.
    """
    per_plan = (
        Appointment.objects.sessions()
        .filter(plan__status=TreatmentPlan.Status.CONFIRMED)
        .values("plan", "plan__patient", "plan__protocol_version__session_count")
        .annotate(
            done=Count("pk", filter=Q(status=Appointment.Status.COMPLETED)),
            last_start=Max("starts_at"),
        )
        .order_by()
    )
    waiting = set(
        Appointment.objects.sessions()
        .filter(status__in=UNFINISHED_STATUSES)
        .values_list("patient", flat=True)
        .distinct()
    )
    stale_before = context.now - datetime.timedelta(days=REBOOK_WITHIN_DAYS)
    completed, closed = [], []
    for row in per_plan:
        if row["done"] >= row["plan__protocol_version__session_count"]:
            completed.append(row["plan"])
        elif row["plan__patient"] not in waiting and row["last_start"] < stale_before:
            closed.append(row["plan"])
    last_end = (
        Appointment.objects.filter(plan=OuterRef("pk")).order_by("-ends_at").values("ends_at")[:1]
    )
    TreatmentPlan.objects.filter(pk__in=completed).update(
        status=TreatmentPlan.Status.COMPLETED, ended_at=Subquery(last_end)
    )
    TreatmentPlan.objects.filter(pk__in=closed).update(
        status=TreatmentPlan.Status.CLOSED,
        close_reason=TreatmentPlan.CloseReason.SESSIONS_CANCELLED,
        ended_at=Subquery(last_end),
    )
    return {"completed": len(completed), "closed": len(closed)}
