import datetime

import pytest
from django.urls import reverse

from followups.models import FollowUp
from followups.services import (
    ended_series_follow_ups_create,
    follow_up_book,
    series_follow_ups_create,
)
from scheduling.booking import SlotTaken
from scheduling.models import Appointment
from tests.followups.factories import ended_series, follow_up
from tests.scheduling.factories import at, book, next_weekday

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 3, 2)


def test_a_series_that_ends_gets_the_follow_ups_of_its_protocol(clinic_open):
    plan = ended_series(last_day=LAST_DAY)

    created = series_follow_ups_create(plan=plan)

    assert [(f.kind, f.due_from, f.due_by) for f in created] == [
        ("post_series", datetime.date(2026, 3, 9), datetime.date(2026, 3, 15)),
        ("phone", datetime.date(2026, 3, 30), datetime.date(2026, 4, 5)),
    ]
    assert all(f.patient == plan.patient and f.provider == plan.ordered_by for f in created)


def test_no_follow_ups_while_sessions_remain_to_be_done(clinic_open):
    plan = ended_series(last_day=LAST_DAY, completed=5)

    assert series_follow_ups_create(plan=plan) == []
    assert not FollowUp.objects.exists()


def test_creating_the_follow_ups_twice_adds_nothing(clinic_open):
    ended_series(last_day=LAST_DAY)

    first = ended_series_follow_ups_create()
    second = ended_series_follow_ups_create()

    assert (first, second) == (2, 0)
    assert FollowUp.objects.count() == 2


def test_a_plan_keeps_the_follow_ups_of_its_protocol_version(clinic_open):
    plan = ended_series(last_day=LAST_DAY)
    protocol = plan.protocol_version.protocol
    protocol.follow_ups = [{"weeks": 2, "kind": "video"}]
    protocol.save()

    created = series_follow_ups_create(plan=plan)

    assert [f.kind for f in created] == ["post_series", "phone"]


def test_a_phone_check_in_is_booked_without_a_chair(monitor, iv_patient):
    check_in = follow_up(patient=iv_patient, due_from=next_weekday(0), kind="phone")

    appointment = follow_up_book(
        follow_up=check_in,
        starts_at=at(check_in.due_from, 10),
        clinician_id=monitor.pk,
        booked_by=monitor,
    )

    check_in.refresh_from_db()
    assert check_in.appointment == appointment
    assert appointment.room is None and appointment.kind == Appointment.Kind.FOLLOW_UP
    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=15)


def test_a_follow_up_cannot_be_booked_while_the_patient_is_in_a_session(chair, monitor, iv_patient):
    monday = next_weekday(0)
    book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    review = follow_up(patient=iv_patient, due_from=monday)

    with pytest.raises(SlotTaken) as refused:
        follow_up_book(
            follow_up=review,
            starts_at=at(monday, 9, 30),
            clinician_id=monitor.pk,
            room_id=chair.pk,
            booked_by=monitor,
        )

    assert "The patient already has a session at that time." in str(refused.value)
    review.refresh_from_db()
    assert review.appointment is None


def test_nurse_books_a_follow_up_from_its_page(client_for, nurse, chair, monitor, iv_patient):
    monday = next_weekday(0)
    review = follow_up(patient=iv_patient, due_from=monday)

    response = client_for(nurse).post(
        reverse("followups:follow_up_book", args=[review.pk]),
        {"day": monday.isoformat(), "time": "11:00", "clinician": monitor.pk, "room": chair.pk},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.appointment.starts_at == at(monday, 11)
    assert review.appointment.room == chair


def test_marking_a_follow_up_done_closes_it(client_for, nurse, iv_patient):
    review = follow_up(patient=iv_patient, due_from=LAST_DAY, kind="phone")

    response = client_for(nurse).post(reverse("followups:follow_up_close", args=[review.pk]))

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.completed_at is not None


def test_front_desk_adds_a_follow_up_by_hand(client_for, front_desk, provider, iv_patient):
    response = client_for(front_desk).post(
        reverse("followups:follow_up_create", args=[iv_patient.pk]),
        {
            "kind": "booster",
            "due_from": "2026-05-04",
            "due_by": "2026-05-08",
            "provider": provider.pk,
            "note": "",
        },
    )

    assert response.status_code == 302
    added = FollowUp.objects.get(patient=iv_patient)
    assert (added.kind, added.created_by, added.plan) == ("booster", front_desk, None)


def test_a_booked_phone_check_in_is_in_the_clinicians_calendar_feed(client, monitor, iv_patient):
    import icalendar

    from scheduling.models import CalendarFeed

    check_in = follow_up(patient=iv_patient, due_from=next_weekday(0), kind="phone")
    follow_up_book(
        follow_up=check_in,
        starts_at=at(check_in.due_from, 10),
        clinician_id=monitor.pk,
        booked_by=monitor,
    )
    feed = CalendarFeed.objects.create(clinician=monitor)

    response = client.get(feed.get_absolute_url())

    events = list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    assert [str(event["LOCATION"]) for event in events] == ["Phone or video"]


def test_signing_the_last_session_of_a_series_creates_its_follow_ups(client_for, nurse, chair):
    from django.utils import timezone

    from scheduling.models import SessionRecord

    plan = ended_series(last_day=LAST_DAY, completed=5, room=chair)
    last = plan.appointments.get(sequence=6)
    last.status = Appointment.Status.CHECKED_IN
    last.save()
    SessionRecord.objects.create(appointment=last, discharged_at=timezone.now())

    response = client_for(nurse).post(reverse("scheduling:session_record_sign", args=[last.pk]))

    assert response.status_code == 302
    assert sorted(plan.follow_ups.values_list("kind", flat=True)) == ["phone", "post_series"]


def test_a_phone_check_in_moves_without_a_chair_and_keeps_its_length(
    client_for, front_desk, monitor, iv_patient
):
    monday = next_weekday(0)
    check_in = follow_up(patient=iv_patient, due_from=monday, kind="phone")
    appointment = follow_up_book(
        follow_up=check_in, starts_at=at(monday, 10), clinician_id=monitor.pk, booked_by=monitor
    )

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_reschedule", args=[appointment.pk]),
        {"day": monday.isoformat(), "time": "15:00", "clinician": monitor.pk},
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.room) == (at(monday, 15), None)
    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=15)
