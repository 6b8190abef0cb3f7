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

from clinic.models import Clinic
from scheduling.models import Appointment, TreatmentPlan
from scheduling.planner import Busy, Slot, load_calendar


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


def _check_slots(*, route, patient_id, slots, exclude_ids=()):
    """Conflicts of the requested slots with the database and with each other."""
    zone = Clinic.load().zone
    days = [slot.starts_at.astimezone(zone).date() for _, slot in slots]
    calendar = load_calendar(
        route=route,
        first_day=min(days) - datetime.timedelta(days=1),
        last_day=max(days) + datetime.timedelta(days=1),
        exclude_appointment_ids=exclude_ids,
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
        calendar.add(
            Busy(slot.starts_at, slot.ends_at, slot.room_id, slot.clinician_id, patient_id)
        )
    return conflicts


def _new_appointment(
    *, patient, route, slot, booked_by, plan=None, sequence=None, kind=Appointment.Kind.SESSION
):
    if kind == Appointment.Kind.SESSION:
        parts = (route.preparation_minutes, route.administration_minutes, route.monitoring_minutes)
    else:
        # A follow-up visit or call is one part: the time with the clinician.
        parts = (0, int((slot.ends_at - slot.starts_at).total_seconds() // 60), 0)
    appointment = Appointment(
        patient=patient,
        route=route,
        plan=plan,
        sequence=sequence,
        kind=kind,
        room_id=slot.room_id,
        clinician_id=slot.clinician_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        preparation_minutes=parts[0],
        administration_minutes=parts[1],
        monitoring_minutes=parts[2],
        booked_by=booked_by,
    )
    appointment.full_clean(validate_constraints=False)
    return appointment


def slot_for(*, route, starts_at, room_id, clinician_id):
    return Slot(
        starts_at,
        starts_at + datetime.timedelta(minutes=route.session_minutes),
        room_id,
        clinician_id,
    )


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
    with transaction.atomic():
        _lock_clinicians([slot.clinician_id])
        conflicts = _check_slots(route=route, patient_id=patient.pk, slots=[(None, slot)])
        if not conflicts:
            appointment = _new_appointment(
                patient=patient, route=route, slot=slot, booked_by=booked_by, kind=kind
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


def series_book(*, plan, slots, booked_by):
    """Book every session of a plan in one transaction: all of them, or none."""
    from scheduling.rems import rems_required_and_missing

    route = plan.protocol_version.route
    if rems_required_and_missing(patient=plan.patient, route=route):
        raise RemsEnrollmentMissing
    numbered = list(enumerate(slots, start=1))
    with transaction.atomic():
        TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        plan.refresh_from_db()
        if plan.status != TreatmentPlan.Status.DRAFT:
            raise SlotTaken([Conflict("This series has already been booked or cancelled.")])
        _lock_clinicians([slot.clinician_id for slot in slots])
        conflicts = _check_slots(route=route, patient_id=plan.patient_id, slots=numbered)
        if conflicts:
            raise SlotTaken(conflicts)
        appointments = [
            _new_appointment(
                patient=plan.patient,
                route=route,
                slot=slot,
                booked_by=booked_by,
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


def _spacing_warnings(plan, appointments_after):
    version = plan.protocol_version
    gap = datetime.timedelta(hours=version.minimum_hours_between)
    sessions = sorted(appointments_after, key=lambda a: a.starts_at)
    warnings = []
    for earlier, later in zip(sessions, sessions[1:], strict=False):
        if later.starts_at - earlier.starts_at < gap:
            warnings.append(
                f"Sessions {earlier.sequence} and {later.sequence} are less than "
                f"{version.minimum_hours_between} hours apart."
            )
    return warnings


def appointment_reschedule(*, appointment, starts_at, room_id, clinician_id, following=False):
    """Move one session, or it and the rest of its series by the same amount."""
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
    with transaction.atomic():
        _lock_clinicians([slot.clinician_id for _, slot in requested])
        conflicts = _check_slots(
            route=route,
            patient_id=appointment.patient_id,
            slots=[(session.sequence, slot) for session, slot in requested],
            exclude_ids=[session.pk for session in moving],
        )
        if not conflicts:
            for session, slot in requested:
                session.starts_at = slot.starts_at
                session.ends_at = slot.ends_at
                session.room_id = slot.room_id
                session.clinician_id = slot.clinician_id
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
    warnings = []
    if appointment.plan_id:
        warnings = _spacing_warnings(appointment.plan, list(appointment.plan.appointments.active()))
    return RescheduleResult(moved=moving, spacing_warnings=warnings)
