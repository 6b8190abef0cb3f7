"""Booking workflows: one session, a whole series, a move. All or nothing.

Locking rule (after pretix): lock what a booking makes less available, once,
inside the transaction, before the availability check, then re-check. Chairs
and patients are guarded by PostgreSQL exclusion constraints; a clinician may
monitor several patients at once, so their capacity is guarded by locking the
clinician's row (select_for_update) and counting again.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Clinic, Room
from clinic.roles import CLINICIAN_ROLES
from scheduling.models import Appointment, TreatmentPlan
from scheduling.planner import Slot, load_calendar
from scheduling.rems import rems_required_and_missing

# The furthest ahead the service books; forms keep people to a year, this keeps the
# calendar arithmetic far from the ends of the date range whatever the caller sends.
BOOKING_HORIZON = datetime.timedelta(days=2 * 366)


@dataclass(frozen=True)
class Conflict:
    message: str
    sequence: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """A free time offered instead of a refused one, with its chair and clinician."""

    starts_at: datetime.datetime
    room: str
    clinician: str
    slot: Slot


class SlotTaken(Exception):  # noqa: N818 - a domain outcome, named as staff say it
    """One or more requested times cannot be booked; `conflicts` says why."""

    def __init__(self, conflicts, suggestions=()):
        self.conflicts = list(conflicts)
        self.suggestions = list(suggestions)
        super().__init__("; ".join(c.message for c in self.conflicts))


class RemsEnrollmentMissing(Exception):  # noqa: N818
    """Esketamine cannot be booked before the patient's REMS enrollment is recorded."""


class SeriesSizeWrong(Exception):  # noqa: N818
    """A series is booked with exactly as many sessions as its protocol version has."""

    def __init__(self, *, expected, given):
        self.expected = expected
        self.given = given
        super().__init__(f"This series has {expected} sessions: give a time for each of them.")


class SpacingBroken(Exception):  # noqa: N818
    """The times break the protocol's spacing; a clinician may still book them knowingly.

    `conflicts` are the clashes found at the same time, so that staff see every problem
    of the series at once rather than one kind after the other.
    """

    def __init__(self, problems, conflicts=()):
        self.problems = list(problems)
        self.conflicts = list(conflicts)
        super().__init__(" ".join(self.problems))


def _timing_conflicts(slots):
    """Requested starts that have passed or lie beyond what the clinic books."""
    now = timezone.now()
    conflicts = []
    for sequence, slot in slots:
        if slot.starts_at < now:
            conflicts.append(Conflict("This time has already passed.", sequence))
        elif slot.starts_at > now + BOOKING_HORIZON:
            conflicts.append(Conflict("This time is too far ahead to book.", sequence))
    return conflicts


def _lock_clinicians(clinician_ids):
    # Sorted, so two transactions locking the same clinicians cannot deadlock.
    User = get_user_model()
    list(User.objects.select_for_update().filter(pk__in=sorted(set(clinician_ids))).order_by("pk"))


def next_free_times(*, route, patient_id, after, exclude_ids=(), minutes=None):
    day = after.astimezone(Clinic.load().zone).date()
    calendar = load_calendar(
        route=route,
        first_day=day,
        last_day=day + datetime.timedelta(days=7),
        exclude_appointment_ids=exclude_ids,
    )
    duration = datetime.timedelta(minutes=minutes or route.session_minutes)
    slots = calendar.next_free(patient_id=patient_id, duration=duration, after=after)
    names = {
        user.pk: str(user)
        for user in get_user_model().objects.filter(pk__in=[s.clinician_id for s in slots])
    }
    return [
        Suggestion(
            starts_at=slot.starts_at,
            room=calendar.room_names.get(slot.room_id, ""),
            clinician=names.get(slot.clinician_id, ""),
            slot=slot,
        )
        for slot in slots
    ]


def _not_clinicians(clinician_ids):
    """Those of the staff given who may not monitor: no nurse's or provider's role, or left."""
    monitoring = (
        get_user_model()
        .objects.filter(pk__in=set(clinician_ids), is_active=True, groups__name__in=CLINICIAN_ROLES)
        .values_list("pk", flat=True)
    )
    return set(clinician_ids) - set(monitoring)


def _check_slots(*, route, patient_id, slots, exclude_ids=()):
    """Conflicts of the requested slots with the database and with each other."""
    if not slots:
        return []
    not_clinicians = _not_clinicians([slot.clinician_id for _, slot in slots])
    if not_clinicians:
        return [
            Conflict(
                "The chosen staff member is not a nurse or provider, so cannot be the "
                "clinician for this appointment.",
                sequence,
            )
            for sequence, slot in slots
            if slot.clinician_id in not_clinicians
        ]
    zone = Clinic.load().zone
    days = [slot.starts_at.astimezone(zone).date() for _, slot in slots]
    calendar = load_calendar(
        route=route,
        first_day=min(days) - datetime.timedelta(days=1),
        last_day=max(days) + datetime.timedelta(days=1),
        exclude_appointment_ids=exclude_ids,
        around=[(slot.starts_at, slot.ends_at) for _, slot in slots],
    )
    conflicts = []
    for sequence, slot in slots:
        for message in calendar.problems(
            patient_id=patient_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            room_id=slot.room_id,
            clinician_id=slot.clinician_id,
        ):
            conflicts.append(Conflict(message, sequence))
        calendar.add(calendar.busy_of(slot, patient_id))
    return conflicts


def _turnovers(slots):
    """Each chair's turnover (minutes), for the slots' rooms: one read."""
    room_ids = {slot.room_id for slot in slots if slot.room_id is not None}
    return dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "turnover_minutes"))


def _new_appointment(
    *,
    patient,
    route,
    slot,
    booked_by,
    turnovers,
    plan=None,
    sequence=None,
    kind=Appointment.Kind.SESSION,
):
    fields = {
        "patient": patient,
        "plan": plan,
        "sequence": sequence,
        "room_id": slot.room_id,
        "clinician_id": slot.clinician_id,
        "booked_by": booked_by,
    }
    if kind == Appointment.Kind.SESSION:
        appointment = Appointment.session_of(
            route=route,
            starts_at=slot.starts_at,
            turnover_minutes=turnovers.get(slot.room_id, 0),
            **fields,
        )
    else:
        # A follow-up visit or call is one part: the time with the clinician (no turnover).
        appointment = Appointment(
            route=route,
            kind=kind,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            chair_until=slot.ends_at,
            preparation_minutes=0,
            administration_minutes=int((slot.ends_at - slot.starts_at).total_seconds() // 60),
            monitoring_minutes=0,
            **fields,
        )
    appointment.full_clean(validate_constraints=False)
    return appointment


def slot_for(*, route, starts_at, room_id, clinician_id):
    """The slot a treatment session starting then takes: as long as the route's session."""
    session = Appointment.session_of(route=route, starts_at=starts_at)
    return Slot(session.starts_at, session.ends_at, room_id, clinician_id)


def _save_all(appointments):
    try:
        with transaction.atomic():
            for appointment in appointments:
                appointment.save()
    except IntegrityError as error:
        # 23P01: another transaction booked the same chair or patient since our check.
        raise SlotTaken([Conflict("Someone else booked this time a moment ago.")]) from error


def appointment_book(*, patient, route, slot, booked_by, kind=Appointment.Kind.SESSION):
    """Book one session or follow-up; raise SlotTaken (with next free times) if it cannot be."""
    if kind == Appointment.Kind.SESSION and rems_required_and_missing(patient=patient, route=route):
        raise RemsEnrollmentMissing
    timing = _timing_conflicts([(None, slot)])
    if timing:
        raise SlotTaken(timing, _suggestions_from_now(route=route, patient_id=patient.pk))
    with transaction.atomic():
        _lock_clinicians([slot.clinician_id])
        conflicts = _check_slots(route=route, patient_id=patient.pk, slots=[(None, slot)])
        if not conflicts:
            appointment = _new_appointment(
                patient=patient,
                route=route,
                slot=slot,
                booked_by=booked_by,
                turnovers=_turnovers([slot]),
                kind=kind,
            )
            try:
                _save_all([appointment])
            except SlotTaken as taken:
                # Name what took the time: the winner has committed by now.
                conflicts = (
                    _check_slots(route=route, patient_id=patient.pk, slots=[(None, slot)])
                    or taken.conflicts
                )
    if conflicts:
        minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
        raise SlotTaken(
            conflicts,
            next_free_times(
                route=route, patient_id=patient.pk, after=slot.starts_at, minutes=minutes
            ),
        )
    return appointment


def _suggestions_from_now(*, route, patient_id, exclude_ids=()):
    return next_free_times(
        route=route, patient_id=patient_id, after=timezone.now(), exclude_ids=exclude_ids
    )


def series_book(*, plan, slots, booked_by, accept_spacing=False):
    """Book every session of a plan in one transaction: all of them, or none.

    Times that break the protocol's spacing raise SpacingBroken unless
    `accept_spacing` says a clinician has chosen to deviate from it.
    """
    version = plan.protocol_version
    route = version.route
    if len(slots) != version.session_count:
        raise SeriesSizeWrong(expected=version.session_count, given=len(slots))
    if rems_required_and_missing(patient=plan.patient, route=route):
        raise RemsEnrollmentMissing
    numbered = list(enumerate(slots, start=1))
    timing = _timing_conflicts(numbered)
    if timing:
        raise SlotTaken(timing)
    if not accept_spacing:
        problems = version.spacing_problems(
            [(sequence, slot.starts_at) for sequence, slot in numbered],
            first_day=plan.first_day,
            zone=Clinic.load().zone,
        )
        if problems:
            # Read only, no locks: booking re-checks under locks once the spacing is accepted.
            clashes = _check_slots(route=route, patient_id=plan.patient_id, slots=numbered)
            raise SpacingBroken(problems, clashes)
    with transaction.atomic():
        TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        # Its status only: a full refresh drops the patient and protocol read with it.
        plan.refresh_from_db(fields=["status"])
        if plan.status != TreatmentPlan.Status.DRAFT:
            raise SlotTaken([Conflict("This series has already been booked or cancelled.")])
        _lock_clinicians([slot.clinician_id for slot in slots])
        conflicts = _check_slots(route=route, patient_id=plan.patient_id, slots=numbered)
        if conflicts:
            raise SlotTaken(conflicts)
        turnovers = _turnovers(slots)
        appointments = [
            _new_appointment(
                patient=plan.patient,
                route=route,
                slot=slot,
                booked_by=booked_by,
                turnovers=turnovers,
                plan=plan,
                sequence=sequence,
            )
            for sequence, slot in numbered
        ]
        try:
            _save_all(appointments)
        except SlotTaken as taken:
            rechecked = _check_slots(route=route, patient_id=plan.patient_id, slots=numbered)
            raise SlotTaken(rechecked or taken.conflicts) from None
        plan.status = TreatmentPlan.Status.CONFIRMED
        plan.save(update_fields=["status"])
    return appointments


@dataclass
class RescheduleResult:
    moved: list
    spacing_warnings: list


def appointment_reschedule(
    *, appointment, starts_at, room_id, clinician_id, following=False, accept_spacing=False
):
    """Move one session, or it and the rest of its series by the same amount.

    Before anything moves, times that would break the series' spacing raise
    SpacingBroken (with any clashes found too) unless `accept_spacing` says a
    clinician has chosen to deviate.
    """
    route = appointment.route
    zone = Clinic.load().zone

    def wall(moment):
        return moment.astimezone(zone).replace(tzinfo=None)

    # Shift by wall-clock time, so a 9:00 session stays at 9:00 across a DST change.
    shift = wall(starts_at) - wall(appointment.starts_at)
    if following and appointment.plan_id:
        moving = list(
            appointment.plan.appointments.active()
            .filter(starts_at__gte=appointment.starts_at)
            .order_by("starts_at")
        )
    else:
        moving = [appointment]
    requested = []
    for session in moving:
        if session.pk == appointment.pk and appointment.kind == Appointment.Kind.FOLLOW_UP:
            # A follow-up keeps its own length (a 15-minute call is not a session).
            slot = Slot(
                starts_at, starts_at + (session.ends_at - session.starts_at), room_id, clinician_id
            )
        elif session.pk == appointment.pk:
            slot = slot_for(
                route=route, starts_at=starts_at, room_id=room_id, clinician_id=clinician_id
            )
        else:
            new_start = (wall(session.starts_at) + shift).replace(tzinfo=zone)
            slot = Slot(
                new_start,
                new_start + (session.ends_at - session.starts_at),
                session.room_id,
                session.clinician_id,
            )
        requested.append((session, slot))
    timing = _timing_conflicts([(session.sequence, slot) for session, slot in requested])
    if timing:
        raise SlotTaken(
            timing,
            _suggestions_from_now(
                route=route, patient_id=appointment.patient_id, exclude_ids=[appointment.pk]
            ),
        )
    if appointment.plan_id and not accept_spacing:
        # A session checked in or cancelled meanwhile is refused as such, not asked about.
        Appointment.objects.get(pk=appointment.pk).ensure_movable()
        _refuse_broken_spacing(appointment, requested, zone)
    with transaction.atomic():
        _lock_clinicians([slot.clinician_id for _, slot in requested])
        # A check-in or a cancellation that committed meanwhile wins: re-read under a lock.
        Appointment.objects.select_for_update().get(pk=appointment.pk).ensure_movable()
        conflicts = _check_slots(
            route=route,
            patient_id=appointment.patient_id,
            slots=[(session.sequence, slot) for session, slot in requested],
            exclude_ids=[session.pk for session in moving],
        )
        if not conflicts:
            turnovers = _turnovers([slot for _, slot in requested])
            for session, slot in requested:
                # Booked anew: with the chair's turnover now, as the check above used.
                session.place(
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    room_id=slot.room_id,
                    turnover_minutes=(
                        turnovers.get(slot.room_id, 0)
                        if session.kind == Appointment.Kind.SESSION
                        else 0
                    ),
                )
                session.clinician_id = slot.clinician_id
                session.needs_rebooking = False
            # Save in the direction of the move so no session passes over another.
            ordered = sorted(
                moving, key=lambda s: s.starts_at, reverse=shift > datetime.timedelta()
            )
            try:
                _save_all(ordered)
            except SlotTaken as taken:
                conflicts = taken.conflicts
    if conflicts:
        raise SlotTaken(
            conflicts,
            next_free_times(
                route=route,
                patient_id=appointment.patient_id,
                after=starts_at,
                exclude_ids=[appointment.pk],
            ),
        )
    warnings = _series_spacing(appointment, {}, zone) if appointment.plan_id else []
    return RescheduleResult(moved=moving, spacing_warnings=warnings)


def _series_spacing(appointment, new_starts, zone):
    """The spacing problems of the appointment's series with some sessions at new times."""
    plan = appointment.plan
    return plan.protocol_version.spacing_problems(
        [
            (session.sequence, new_starts.get(session.pk, session.starts_at))
            for session in plan.appointments.active()
        ],
        first_day=plan.first_day,
        zone=zone,
    )


def _refuse_broken_spacing(appointment, requested, zone):
    problems = _series_spacing(
        appointment, {session.pk: slot.starts_at for session, slot in requested}, zone
    )
    if problems:
        # Read only, no locks: the move re-checks under locks once the spacing is accepted.
        clashes = _check_slots(
            route=appointment.route,
            patient_id=appointment.patient_id,
            slots=[(session.sequence, slot) for session, slot in requested],
            exclude_ids=[session.pk for session, _ in requested],
        )
        raise SpacingBroken(problems, clashes)
