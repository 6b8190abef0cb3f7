"""Follow-up workflows: creating them when a series ends, and booking them."""

import datetime

from django.db import IntegrityError, transaction

from clinic.models import Clinic, Route
from followups.models import FollowUp
from scheduling.booking import appointment_book
from scheduling.models import UNFINISHED_STATUSES, Appointment, TreatmentPlan
from scheduling.planner import Slot


class AlreadyBooked(Exception):
    """The follow-up was booked or closed by someone else in the meantime."""


def series_last_day(plan):
    """The local day of the last completed session, or None while sessions remain to be done."""
    sessions = list(plan.appointments.sessions().values_list("status", "starts_at"))
    if not sessions or any(status in UNFINISHED_STATUSES for status, _ in sessions):
        return None
    completed = [start for status, start in sessions if status == Appointment.Status.COMPLETED]
    if not completed:
        return None
    return max(completed).astimezone(Clinic.load().zone).date()


def series_follow_ups_create(*, plan: TreatmentPlan) -> list[FollowUp]:
    """The follow-ups the plan's protocol version asks for, once its series has ended.

    Idempotent: the unique constraint (plan, kind, due day) makes a second run,
    even a simultaneous one, add nothing.
    """
    last_day = series_last_day(plan)
    if last_day is None:
        return []
    version = plan.protocol_version
    window = datetime.timedelta(days=max(version.follow_up_window_days, 1) - 1)
    created = []
    for item in version.follow_ups:
        due_from = last_day + datetime.timedelta(weeks=item["weeks"])
        try:
            with transaction.atomic():
                follow_up, made = FollowUp.objects.get_or_create(
                    plan=plan,
                    kind=item["kind"],
                    due_from=due_from,
                    defaults={
                        "patient_id": plan.patient_id,
                        "due_by": due_from + window,
                        "provider_id": plan.ordered_by_id,
                    },
                )
        except IntegrityError:
            continue
        if made:
            created.append(follow_up)
    return created


def follow_ups_after_signing(*, record) -> list[FollowUp]:
    """Registered with scheduling: the last record of a series brings its follow-ups now."""
    plan = record.appointment.plan
    return series_follow_ups_create(plan=plan) if plan else []


def ended_series_follow_ups_create() -> int:
    """Follow-ups for every booked series that has ended and has none yet."""
    plans = (
        TreatmentPlan.objects.booked()
        .filter(follow_ups__isnull=True)
        .exclude(appointments__status__in=UNFINISHED_STATUSES)
        .filter(appointments__status=Appointment.Status.COMPLETED)
        .select_related("protocol_version")
        .distinct()
    )
    return sum(len(series_follow_ups_create(plan=plan)) for plan in plans)


def follow_up_route(follow_up):
    """The route whose chairs an in-person follow-up may use: the series' route."""
    if follow_up.plan_id:
        return follow_up.plan.protocol_version.route
    return follow_up.patient.cleared_routes.first() or Route.objects.get(code=Route.Code.IV)


def follow_up_book(
    *, follow_up: FollowUp, starts_at, clinician_id, room_id=None, booked_by
) -> Appointment:
    """Book a follow-up with the same rules as a session; a call holds no chair.

    Raises SlotTaken, like any booking, with the conflicts and the next free times,
    and AlreadyBooked when someone else booked or closed it since it was read.
    """
    if follow_up.is_remote:
        room_id = None
    slot = Slot(
        starts_at,
        starts_at + datetime.timedelta(minutes=follow_up.minutes),
        room_id,
        clinician_id,
    )
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        booked = follow_up.booked_appointment
        if not follow_up.is_open or (booked and booked.status != Appointment.Status.NO_SHOW):
            raise AlreadyBooked
        appointment = appointment_book(
            patient=follow_up.patient,
            route=follow_up_route(follow_up),
            slot=slot,
            booked_by=booked_by,
            kind=Appointment.Kind.FOLLOW_UP,
        )
        follow_up.appointment = appointment
        follow_up.save(update_fields=["appointment"])
    return appointment
