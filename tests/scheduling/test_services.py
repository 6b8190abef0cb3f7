import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.models import Closure, Route
from scheduling.booking import (
    RemsEnrollmentMissing,
    SlotTaken,
    SpacingBroken,
    appointment_reschedule,
    series_book,
    slot_for,
)
from scheduling.models import Appointment, Protocol, RemsEnrollment, TreatmentPlan
from tests.factories import UserFactory
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
)

pytestmark = pytest.mark.django_db

MONDAY = None


@pytest.fixture
def monday():
    return next_weekday(0)


def test_a_booking_holds_the_chair_and_copies_the_session_parts(chair, monitor, iv_patient, monday):
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    appointment.refresh_from_db()
    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=115)
    assert (
        appointment.preparation_minutes,
        appointment.administration_minutes,
        appointment.monitoring_minutes,
    ) == (15, 40, 60)


def test_a_double_booked_chair_is_refused_with_the_clash_and_next_free_times(
    chair, monitor, iv_patient, monday
):
    book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    other = cleared_patient("iv")
    second_monitor = clinician_with_hours()

    with pytest.raises(SlotTaken) as refused:
        book(patient=other, room=chair, clinician=second_monitor, starts_at=at(monday, 10))

    assert [c.message for c in refused.value.conflicts] == ["Chair 1 is booked 9:00–10:55 AM."]
    assert refused.value.suggestions[0].starts_at == at(monday, 11)
    assert refused.value.suggestions[0].room == "Chair 1"
    assert Appointment.objects.count() == 1


def test_back_to_back_sessions_touch_but_do_not_overlap(chair, monitor, iv_patient, monday):
    first = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 8))

    second = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=first.ends_at
    )

    assert second.starts_at == first.ends_at


def test_a_patient_cannot_be_in_two_places(clinic_open, monitor, iv_patient, monday):
    book(
        patient=iv_patient,
        room=chair_for("iv", name="A"),
        clinician=monitor,
        starts_at=at(monday, 9),
    )

    with pytest.raises(SlotTaken) as refused:
        book(
            patient=iv_patient,
            room=chair_for("iv", name="B"),
            clinician=monitor,
            starts_at=at(monday, 9, 30),
        )

    assert "The patient already has a session at that time." in str(refused.value)


def test_clinician_capacity_is_the_clinic_setting(clinic_open, monitor, monday):
    for name in "AB":
        book(
            patient=cleared_patient("iv"),
            room=chair_for("iv", name=name),
            clinician=monitor,
            starts_at=at(monday, 9),
        )

    with pytest.raises(SlotTaken) as refused:
        book(
            patient=cleared_patient("iv"),
            room=chair_for("iv", name="C"),
            clinician=monitor,
            starts_at=at(monday, 9),
        )

    assert "already has 2 patients" in str(refused.value)


def test_nothing_is_booked_outside_opening_hours(chair, monitor, iv_patient, monday):
    with pytest.raises(SlotTaken) as refused:
        book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 17))

    assert "outside opening hours" in str(refused.value)


def test_nothing_is_booked_on_a_closure(chair, monitor, iv_patient, monday):
    Closure.objects.create(starts_on=monday, ends_on=monday, reason="Holiday")

    with pytest.raises(SlotTaken) as refused:
        book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    assert "closed" in str(refused.value)


def test_a_room_not_equipped_for_the_route_is_refused(clinic_open, monitor, iv_patient, monday):
    quiet = chair_for("intranasal", name="Quiet room")

    with pytest.raises(SlotTaken) as refused:
        book(patient=iv_patient, room=quiet, clinician=monitor, starts_at=at(monday, 9))

    assert "not equipped" in str(refused.value)


@pytest.mark.postgres_only
def test_postgresql_refuses_an_overlapping_chair_whatever_the_code_path(
    chair, monitor, iv_patient, monday
):
    first = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    clash = Appointment(
        patient=cleared_patient("iv"),
        route=first.route,
        room=chair,
        clinician=monitor,
        starts_at=at(monday, 10),
        ends_at=at(monday, 11),
        chair_until=at(monday, 11),
        preparation_minutes=15,
        administration_minutes=40,
        monitoring_minutes=5,
        booked_by=monitor,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


@pytest.mark.postgres_only
def test_full_clean_reports_the_overlap_on_postgresql(chair, monitor, iv_patient, monday):
    from django.core.exceptions import ValidationError

    first = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    clash = Appointment(
        patient=cleared_patient("iv"),
        route=first.route,
        room=chair,
        clinician=monitor,
        starts_at=at(monday, 10),
        ends_at=at(monday, 11),
        chair_until=at(monday, 11),
        preparation_minutes=15,
        administration_minutes=40,
        monitoring_minutes=5,
        booked_by=monitor,
    )

    with pytest.raises(ValidationError, match="This chair is already booked"):
        clash.full_clean()


def _slots(plan, starts, room, clinician):
    route = plan.protocol_version.route
    return [
        slot_for(route=route, starts_at=s, room_id=room.pk, clinician_id=clinician.pk)
        for s in starts
    ]


def test_series_book_books_every_session(chair, monitor, monday):
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]

    appointments = series_book(
        plan=plan, slots=_slots(plan, [at(d, 9) for d in days], chair, monitor), booked_by=monitor
    )

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED
    assert [a.sequence for a in appointments] == [1, 2, 3, 4, 5, 6]
    assert plan.appointments.count() == 6


def test_series_book_is_all_or_nothing(chair, monitor, monday):
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    book(
        patient=cleared_patient("iv"),
        room=chair,
        clinician=clinician_with_hours(),
        starts_at=at(days[3], 9),
    )

    with pytest.raises(SlotTaken) as refused:
        series_book(
            plan=plan,
            slots=_slots(plan, [at(d, 9) for d in days], chair, monitor),
            booked_by=monitor,
        )

    assert [c.sequence for c in refused.value.conflicts] == [4]
    assert plan.appointments.count() == 0
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT


def test_a_series_cannot_clash_with_itself(chair, monitor, monday):
    plan = TreatmentPlanFactory(first_day=monday)

    with pytest.raises(SlotTaken):
        series_book(
            plan=plan,
            slots=_slots(plan, [at(monday, 9)] * 6, chair, monitor),
            booked_by=monitor,
            accept_spacing=True,
        )

    assert Appointment.objects.count() == 0


def test_esketamine_needs_a_complete_rems_enrollment(clinic_open, monitor, monday):
    room = chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    version = Protocol.objects.get(route="intranasal").snapshot()
    plan = TreatmentPlanFactory(patient=patient, protocol_version=version, dose=56, dose_unit="mg")
    days = [monday + datetime.timedelta(days=3 * n) for n in range(12)]
    slots = _slots(plan, [at(d, 9) for d in days], room, monitor)

    with pytest.raises(RemsEnrollmentMissing):
        series_book(plan=plan, slots=slots, booked_by=monitor)

    RemsEnrollment.objects.create(
        patient=patient,
        enrolled_on=monday,
        patient_signed=True,
        prescriber_signed=True,
        prescriber=UserFactory(),
    )
    days = [d for d in days if d.weekday() < 5]
    assert days  # at least one weekday


def test_a_confirmed_plan_cannot_be_booked_twice(chair, monitor, monday):
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    slots = _slots(plan, [at(d, 9) for d in days], chair, monitor)
    series_book(plan=plan, slots=slots, booked_by=monitor)

    with pytest.raises(SlotTaken):
        series_book(plan=plan, slots=slots, booked_by=monitor)

    assert Appointment.objects.count() == 6


@pytest.fixture
def booked_series(chair, monitor, monday):
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    series_book(
        plan=plan, slots=_slots(plan, [at(d, 9) for d in days], chair, monitor), booked_by=monitor
    )
    return plan


def test_reschedule_one_session(booked_series, chair, monitor, monday):
    second = booked_series.appointments.get(sequence=2)
    new_day = second.starts_at.date() + datetime.timedelta(days=1)

    result = appointment_reschedule(
        appointment=second,
        starts_at=at(new_day, 13),
        room_id=chair.pk,
        clinician_id=monitor.pk,
        accept_spacing=True,  # a day later, so 20 hours before session 3
    )

    second.refresh_from_db()
    assert second.starts_at == at(new_day, 13)
    assert len(result.moved) == 1
    assert booked_series.appointments.get(sequence=3).starts_at.hour != 13


def test_a_session_checked_in_meanwhile_is_not_moved(booked_series, chair, monitor):
    second = booked_series.appointments.get(sequence=2)
    # Another user checks the patient in after this one opened the move page.
    Appointment.objects.filter(pk=second.pk).update(status=Appointment.Status.CHECKED_IN)
    new_start = second.starts_at + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        appointment_reschedule(
            appointment=second, starts_at=new_start, room_id=chair.pk, clinician_id=monitor.pk
        )

    assert refused.value.code == "not_booked"
    second.refresh_from_db()
    assert second.starts_at != new_start


def test_a_move_that_breaks_spacing_is_refused_first_then_made_when_accepted(
    booked_series, chair, monitor, monday
):
    second = booked_series.appointments.get(sequence=2)
    before = second.starts_at
    move = {"starts_at": at(monday, 13), "room_id": chair.pk, "clinician_id": monitor.pk}

    with pytest.raises(SpacingBroken) as refused:
        appointment_reschedule(appointment=second, **move)

    assert refused.value.problems == ["Sessions 1 and 2 are less than 40 hours apart."]
    assert refused.value.conflicts == []
    second.refresh_from_db()
    assert second.starts_at == before

    result = appointment_reschedule(appointment=second, accept_spacing=True, **move)

    assert result.spacing_warnings == ["Sessions 1 and 2 are less than 40 hours apart."]
    second.refresh_from_db()
    assert second.starts_at == at(monday, 13)


def test_a_move_that_breaks_spacing_names_its_clashes_too(booked_series, chair, monitor):
    second = booked_series.appointments.get(sequence=2)
    third = booked_series.appointments.get(sequence=3)

    with pytest.raises(SpacingBroken) as refused:
        appointment_reschedule(
            appointment=second, starts_at=third.starts_at, room_id=chair.pk, clinician_id=monitor.pk
        )

    assert "The patient already has a session at that time." in [
        conflict.message for conflict in refused.value.conflicts
    ]


def test_reschedule_this_and_following_moves_the_rest_by_the_same_amount(
    booked_series, chair, monitor
):
    fourth = booked_series.appointments.get(sequence=4)
    before = {a.sequence: a.starts_at for a in booked_series.appointments.all()}

    result = appointment_reschedule(
        appointment=fourth,
        starts_at=fourth.starts_at + datetime.timedelta(hours=2),
        room_id=chair.pk,
        clinician_id=monitor.pk,
        following=True,
    )

    after = {a.sequence: a.starts_at for a in booked_series.appointments.all()}
    assert len(result.moved) == 3
    assert all(after[n] == before[n] for n in (1, 2, 3))
    assert all(after[n] - before[n] == datetime.timedelta(hours=2) for n in (4, 5, 6))


def test_reschedule_into_a_clash_changes_nothing(booked_series, chair, monitor):
    second = booked_series.appointments.get(sequence=2)
    third = booked_series.appointments.get(sequence=3)

    with pytest.raises(SlotTaken):
        appointment_reschedule(
            appointment=second,
            starts_at=third.starts_at,
            room_id=chair.pk,
            clinician_id=monitor.pk,
            accept_spacing=True,
        )

    second.refresh_from_db()
    assert second.starts_at != third.starts_at


def test_a_cancelled_session_frees_the_chair(chair, monitor, iv_patient, monday):
    first = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    first.cancel(reason=Appointment.CancelReason.CLINIC, note="Pump broken")

    again = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(monday, 9)
    )

    assert again.pk != first.pk


def test_every_change_is_audited(chair, monitor, iv_patient, monday):
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    appointment_reschedule(
        appointment=appointment, starts_at=at(monday, 11), room_id=chair.pk, clinician_id=monitor.pk
    )
    appointment.cancel(reason=Appointment.CancelReason.PATIENT)

    assert appointment.history.count() == 3
    assert Route.objects.get(code="iv").session_minutes == 115


@time_machine.travel(datetime.datetime(2026, 10, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_moving_the_rest_of_a_series_across_the_dst_change_keeps_wall_clock_times(chair, monitor):
    # Sessions on Wednesdays and Fridays around Sunday Nov 1, 2026 (PDT -> PST).
    plan = TreatmentPlanFactory(first_day=datetime.date(2026, 10, 26))
    days = [datetime.date(2026, 10, d) for d in (26, 28, 30)] + [
        datetime.date(2026, 11, d) for d in (2, 4, 6)
    ]
    series_book(
        plan=plan, slots=_slots(plan, [at(d, 9) for d in days], chair, monitor), booked_by=monitor
    )
    second = plan.appointments.get(sequence=2)

    appointment_reschedule(
        appointment=second,
        starts_at=at(datetime.date(2026, 11, 4), 9),
        room_id=chair.pk,
        clinician_id=monitor.pk,
        following=True,
    )

    zone = at(days[0], 9).tzinfo
    moved = [a.starts_at.astimezone(zone) for a in plan.appointments.order_by("sequence")]
    assert [m.time() for m in moved] == [datetime.time(9)] * 6
    assert [m.day for m in moved] == [26, 4, 6, 9, 11, 13]
