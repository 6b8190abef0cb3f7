"""Hostile and out-of-range input on the scheduling forms and services: refused, never a 500."""

import datetime

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.models import Route
from scheduling.booking import (
    RemsEnrollmentMissing,
    SeriesSizeWrong,
    SlotTaken,
    SpacingBroken,
    appointment_book,
    series_book,
    slot_for,
)
from scheduling.models import (
    Appointment,
    CalendarFeed,
    Protocol,
    RemsEnrollment,
    SchedulingPreference,
    TreatmentPlan,
)
from scheduling.rems import rems_required_and_missing
from tests.factories import UserFactory
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    at,
    book,
    chair_for,
    cleared_patient,
    next_weekday,
)

pytestmark = pytest.mark.django_db

HOSTILE_DAYS = ["0001-01-01", "9999-12-31", "2000-01-01", "10000-01-01", "yesterday"]


def book_url(plan):
    return reverse("scheduling:plan_book", args=[plan.pk])


def _series_days(monday):
    return [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]


def _slots(plan, starts, room, clinician):
    route = plan.protocol_version.route
    return [
        slot_for(route=route, starts_at=s, room_id=room.pk, clinician_id=clinician.pk)
        for s in starts
    ]


def _plan_data(plan, chair, monitor, days, times=None, total=None):
    times = times or ["09:00"] * len(days)
    data = {
        "form-TOTAL_FORMS": str(len(days) if total is None else total),
        "form-INITIAL_FORMS": str(len(days)),
    }
    for index, (day, time) in enumerate(zip(days, times, strict=True)):
        data.update(
            {
                f"form-{index}-day": day if isinstance(day, str) else day.isoformat(),
                f"form-{index}-time": time,
                f"form-{index}-room": chair.pk,
                f"form-{index}-clinician": monitor.pk,
            }
        )
    return data


def _hostile_cases():
    monday = next_weekday(0).isoformat()
    cases = []
    for day in HOSTILE_DAYS:
        cases += [
            ("book", {"day": day}),
            ("move", {"day": day}),
            ("order", {"first_day": day}),
            ("confirm", {"form-0-day": day}),
        ]
    for time in ("08:00:00.5", "08:07", "25:00", "-1"):
        cases += [("book", {"day": monday, "time": time}), ("confirm", {"form-0-time": time})]
    for total in ("0", "1", "50", "-1", "100000", "x"):
        cases.append(("confirm", {"form-TOTAL_FORMS": total}))
    cases += [
        ("order", {"dose": "-1"}),
        ("order", {"dose": "1e400"}),
        ("preferences", {"earliest_start": "14:00", "latest_start": "09:00"}),
        ("preferences", {"weekdays": ["9"]}),
        ("rems", {"enrolled_on": "9999-12-31"}),
        ("rems", {"enrolled_on": "0001-01-01"}),
        ("rems", {"enrolled_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}),
    ]
    return cases


def _writes():
    return (
        Appointment.objects.count(),
        list(Appointment.objects.values_list("starts_at", flat=True)),
        TreatmentPlan.objects.count(),
        list(TreatmentPlan.objects.values_list("status", flat=True)),
        SchedulingPreference.objects.count(),
        RemsEnrollment.objects.count(),
    )


@pytest.mark.parametrize(("form", "changes"), _hostile_cases())
def test_hostile_scheduling_input_is_refused_without_writing(
    client_for, front_desk, provider, chair, monitor, form, changes
):
    monday = next_weekday(0)
    iv = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    esketamine = cleared_patient("intranasal")
    plan = TreatmentPlanFactory(patient=iv, first_day=monday)
    booked = book(
        patient=cleared_patient("iv"),
        room=chair,
        clinician=monitor,
        starts_at=at(monday + datetime.timedelta(days=1), 9),
    )
    base = {
        "book": (
            front_desk,
            reverse("scheduling:appointment_create", args=[iv.pk]),
            {"route": "iv", "day": monday.isoformat(), "time": "09:00"}
            | {"room": chair.pk, "clinician": monitor.pk},
        ),
        "move": (
            front_desk,
            reverse("scheduling:appointment_reschedule", args=[booked.pk]),
            {"day": monday.isoformat(), "time": "13:00", "room": chair.pk}
            | {"clinician": monitor.pk},
        ),
        "order": (
            provider,
            reverse("scheduling:plan_create", args=[iv.pk]),
            {"protocol": Protocol.objects.get(name="IV induction").pk}
            | {"dose": "0.5", "dose_unit": "mg/kg", "first_day": monday.isoformat()},
        ),
        "confirm": (
            front_desk,
            book_url(plan),
            _plan_data(plan, chair, monitor, _series_days(monday)),
        ),
        "preferences": (
            front_desk,
            reverse("scheduling:preferences_edit", args=[iv.pk]),
            {"weekdays": ["1"], "earliest_start": "09:00", "latest_start": "11:00"},
        ),
        "rems": (
            front_desk,
            reverse("scheduling:rems_enroll", args=[esketamine.pk]),
            {"enrolled_on": timezone.localdate().isoformat(), "patient_signed": "on"}
            | {"prescriber_signed": "on", "prescriber": provider.pk},
        ),
    }
    user, url, data = base[form]
    before = _writes()

    response = client_for(user).post(url, {**data, **changes})

    assert response.status_code == 200
    assert _writes() == before


def test_the_plan_page_works_for_a_plan_ordered_with_an_absurd_first_day(
    client_for, front_desk, chair, monitor
):
    plan = TreatmentPlanFactory(first_day=datetime.date(9999, 12, 31))

    response = client_for(front_desk).get(plan.get_absolute_url())

    assert response.status_code == 200


def test_series_book_refuses_fewer_or_more_sessions_than_the_protocol(chair, monitor):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    days = _series_days(monday)

    for starts in ([at(days[0], 9)], [at(d, 9) for d in days] + [at(days[-1], 14)], []):
        with pytest.raises(SeriesSizeWrong):
            series_book(plan=plan, slots=_slots(plan, starts, chair, monitor), booked_by=monitor)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert Appointment.objects.count() == 0


def test_confirming_a_plan_with_one_row_says_how_many_are_needed(
    client_for, front_desk, chair, monitor
):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)

    response = client_for(front_desk).post(
        book_url(plan), _plan_data(plan, chair, monitor, [monday])
    )

    assert response.status_code == 200
    assert "This series has 6 sessions" in response.text
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT


def test_series_book_refuses_broken_spacing_and_names_the_sessions(chair, monitor):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday, monday + datetime.timedelta(days=1)] + _series_days(monday)[2:]

    with pytest.raises(SpacingBroken) as refused:
        series_book(
            plan=plan,
            slots=_slots(plan, [at(d, 9) for d in days], chair, monitor),
            booked_by=monitor,
        )

    assert "Sessions 1 and 2 are less than 40 hours apart." in refused.value.problems
    assert Appointment.objects.count() == 0


def test_series_book_refuses_too_many_sessions_in_a_week(chair, monitor):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 6, 9, 11)]

    with pytest.raises(SpacingBroken) as refused:
        series_book(
            plan=plan,
            slots=_slots(plan, [at(d, 9) for d in days], chair, monitor),
            booked_by=monitor,
        )

    assert any("week 1" in problem for problem in refused.value.problems)


def test_staff_books_a_badly_spaced_series_only_with_book_anyway(
    client_for, front_desk, chair, monitor
):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    days = [monday, monday + datetime.timedelta(days=1)] + _series_days(monday)[2:]
    data = _plan_data(plan, chair, monitor, days)
    client = client_for(front_desk)

    refused = client.post(book_url(plan), data)

    assert refused.status_code == 200
    assert "Sessions 1 and 2 are less than 40 hours apart." in refused.text
    assert "Book anyway" in refused.text
    assert Appointment.objects.count() == 0

    booked = client.post(book_url(plan), {**data, "book_anyway": "on"})

    assert booked.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED
    assert plan.appointments.count() == 6


def test_a_single_session_cannot_be_booked_in_the_past(chair, monitor, iv_patient):
    route = Route.objects.get(code="iv")
    monday = next_weekday(0)

    with time_machine.travel(at(monday, 12), tick=False), pytest.raises(SlotTaken) as refused:
        appointment_book(
            patient=iv_patient,
            route=route,
            slot=slot_for(
                route=route, starts_at=at(monday, 9), room_id=chair.pk, clinician_id=monitor.pk
            ),
            booked_by=monitor,
        )

    assert "has already passed" in str(refused.value)
    assert Appointment.objects.count() == 0


def test_a_series_cannot_be_booked_in_the_past(chair, monitor):
    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    days = _series_days(monday)

    with time_machine.travel(at(days[1], 12), tick=False), pytest.raises(SlotTaken) as refused:
        series_book(
            plan=plan,
            slots=_slots(plan, [at(d, 9) for d in days], chair, monitor),
            booked_by=monitor,
        )

    assert [c.sequence for c in refused.value.conflicts] == [1, 2]
    assert Appointment.objects.count() == 0


def test_a_session_cannot_be_moved_into_the_past(chair, monitor, iv_patient):
    from scheduling.booking import appointment_reschedule

    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 13))

    with time_machine.travel(at(monday, 12), tick=False), pytest.raises(SlotTaken):
        appointment_reschedule(
            appointment=appointment,
            starts_at=at(monday, 9),
            room_id=chair.pk,
            clinician_id=monitor.pk,
        )

    appointment.refresh_from_db()
    assert appointment.starts_at == at(monday, 13)


def test_a_session_next_week_cannot_be_checked_in_today(chair, monitor, iv_patient):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    with (
        time_machine.travel(at(monday - datetime.timedelta(days=7), 9), tick=False),
        pytest.raises(ValidationError),
    ):
        appointment.check_in()

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_a_session_is_checked_in_on_its_day(chair, monitor, iv_patient):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    with time_machine.travel(at(monday, 8, 40), tick=False):
        appointment.check_in()

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_only_a_booked_session_can_be_moved(chair, monitor, iv_patient):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    appointment.ensure_movable()

    with time_machine.travel(at(monday, 8, 40), tick=False):
        appointment.check_in()

    with pytest.raises(ValidationError) as refused:
        appointment.ensure_movable()
    assert refused.value.code == "not_booked"


def test_start_times_off_the_five_minute_grid_are_refused(
    client_for, front_desk, chair, monitor, iv_patient
):
    response = client_for(front_desk).post(
        reverse("scheduling:appointment_create", args=[iv_patient.pk]),
        {
            "route": "iv",
            "day": next_weekday(0).isoformat(),
            "time": "08:00:00.5",
            "room": chair.pk,
            "clinician": monitor.pk,
        },
    )

    assert "whole 5 minutes" in response.text
    assert Appointment.objects.count() == 0


def _enrollment(patient, **changes):
    return RemsEnrollment.objects.create(
        patient=patient,
        enrolled_on=changes.pop("enrolled_on", timezone.localdate()),
        patient_signed=True,
        prescriber_signed=True,
        prescriber=UserFactory(),
    )


def test_a_future_dated_rems_enrollment_does_not_allow_booking(db):
    patient = cleared_patient("intranasal")
    _enrollment(patient, enrolled_on=timezone.localdate() + datetime.timedelta(days=3))

    assert rems_required_and_missing(patient=patient, route=Route.objects.get(code="intranasal"))


def test_rems_enrollment_is_refused_for_a_patient_not_cleared_for_esketamine(
    client_for, front_desk, provider, iv_patient
):
    response = client_for(front_desk).post(
        reverse("scheduling:rems_enroll", args=[iv_patient.pk]),
        {
            "enrolled_on": timezone.localdate().isoformat(),
            "patient_signed": "on",
            "prescriber_signed": "on",
            "prescriber": provider.pk,
        },
    )

    assert response.status_code == 200
    assert "not cleared for intranasal esketamine" in response.text
    assert not RemsEnrollment.objects.exists()


def test_an_earliest_start_after_the_latest_is_refused(client_for, front_desk, iv_patient):
    response = client_for(front_desk).post(
        reverse("scheduling:preferences_edit", args=[iv_patient.pk]),
        {"earliest_start": "14:00", "latest_start": "09:00"},
    )

    assert response.status_code == 200
    assert "earliest start must be before the latest" in response.text
    assert not SchedulingPreference.objects.exists()


def test_the_ical_feed_carries_only_initials_mrn_times_and_chair(client, chair, monitor):
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    appointment = book(
        patient=patient, room=chair, clinician=monitor, starts_at=at(next_weekday(0), 9)
    )
    feed = CalendarFeed.objects.create(clinician=monitor)

    response = client.get(feed.get_absolute_url())

    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")

    assert set(event) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"}
    assert str(event["SUMMARY"]) == f"AM {patient.mrn}"
    assert str(event["LOCATION"]) == chair.name
    assert appointment.route.name not in event.to_ical().decode()


def test_the_booking_service_refuses_esketamine_without_rems_enrollment(clinic_open, monitor):
    room = chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    route = Route.objects.get(code="intranasal")

    with pytest.raises(RemsEnrollmentMissing):
        appointment_book(
            patient=patient,
            route=route,
            slot=slot_for(
                route=route,
                starts_at=at(next_weekday(0), 9),
                room_id=room.pk,
                clinician_id=monitor.pk,
            ),
            booked_by=monitor,
        )

    assert Appointment.objects.count() == 0
