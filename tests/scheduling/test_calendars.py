import datetime

import icalendar
import pytest
import time_machine
from django.urls import reverse

from scheduling.models import Appointment, CalendarFeed
from tests.scheduling.factories import (
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
)

pytestmark = pytest.mark.django_db

# Session, user, permissions, clinic settings and each home-page section: not one per row.
# The counts come from the cache once counted (clinic/counts.py); counting them and keeping
# them in the cache costs the first page after a change more.
HOME_PAGE_QUERIES = 15
HOME_PAGE_QUERIES_COUNTING = 34


def fill_day(day, count):
    """`count` sessions across several chairs and clinicians on one day."""
    for n in range(count):
        room = chair_for("iv", name=f"Chair {n % 4 + 1}")
        clinician = (
            clinician_with_hours(email=f"calendar-{n % 4}@clinic.test")
            if n < 4
            else (Appointment.objects.filter(room=room).first().clinician)
        )
        book(
            patient=cleared_patient("iv"),
            room=room,
            clinician=clinician,
            starts_at=at(day, 8) + datetime.timedelta(minutes=115 * (n // 4)),
        )


@pytest.mark.parametrize("count", [1, 12])
def test_day_view_query_count_does_not_grow(
    client_for, front_desk, clinic_open, count, django_assert_num_queries
):
    monday = next_weekday(0)
    fill_day(monday, count)
    client = client_for(front_desk)
    url = reverse("scheduling:day") + f"?date={monday.isoformat()}"
    client.get(url)  # warm the session

    with django_assert_num_queries(12):  # and one for those not held (cancelled, no-show)
        response = client.get(url)

    assert len(response.context["blocks"]) == count


@pytest.mark.parametrize("count", [1, 12])
def test_week_and_today_query_counts_do_not_grow(
    client_for, nurse, clinic_open, count, django_assert_num_queries
):
    monday = next_weekday(0)
    fill_day(monday, count)
    client = client_for(nurse)
    client.get(reverse("scheduling:today"))

    with django_assert_num_queries(12):  # with the clinician's calendar feed, if any
        client.get(reverse("scheduling:week") + f"?date={monday.isoformat()}")
    with django_assert_num_queries(8):  # the day's count and how many ended: one query
        client.get(reverse("scheduling:today"))


def test_day_view_shows_the_parts_of_a_session(client_for, nurse, chair, monitor, iv_patient):
    monday = next_weekday(0)
    book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    response = client_for(nurse).get(reverse("scheduling:day") + f"?date={monday}")

    assert 'class="dose"' in response.text
    assert "gr-6 gs-8" in response.text  # 9:00 is the fifth 15-minute row after 8:00
    assert "Alex Morgan" in response.text


def test_the_day_view_says_each_status_in_words(client_for, nurse, chair, monitor):
    monday = next_weekday(0)
    sessions = {
        hour: book(
            patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(monday, hour)
        )
        for hour in (8, 10, 12, 14, 16)
    }
    Appointment.objects.filter(pk=sessions[10].pk).update(status=Appointment.Status.CHECKED_IN)
    Appointment.objects.filter(pk=sessions[12].pk).update(status=Appointment.Status.COMPLETED)
    Appointment.objects.filter(pk=sessions[14].pk).update(status=Appointment.Status.CANCELLED)
    Appointment.objects.filter(pk=sessions[16].pk).update(status=Appointment.Status.NO_SHOW)

    response = client_for(nurse).get(reverse("scheduling:day") + f"?date={monday}")

    text = response.text
    assert "· <strong>checked in</strong>" in text
    assert "· <strong>completed</strong>" in text
    assert "Not held, chair free" in text
    assert "2:00 PM · Chair 1" in text and "<strong>Cancelled</strong>" in text
    assert "4:00 PM · Chair 1" in text and "<strong>No-show</strong>" in text


def test_the_ical_feed_shows_initials_and_mrn_only(client, chair, monitor, iv_patient):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    feed = CalendarFeed.objects.create(clinician=monitor)

    response = client.get(feed.get_absolute_url())

    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert response["Content-Type"].startswith("text/calendar")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == f"AM {iv_patient.mrn}"
    assert events[0].decoded("DTSTART") == appointment.starts_at
    assert "Morgan" not in response.content.decode()


def test_a_wrong_feed_token_is_not_found(client, db):
    response = client.get(reverse("scheduling:clinician_feed", args=["not-a-token"]))

    assert response.status_code == 404


def test_day_view_marks_now_and_links_the_neighbouring_days(client_for, nurse, chair):
    monday = datetime.date(2026, 11, 30)
    with time_machine.travel(at(monday, 10, 20), tick=False):
        response = client_for(nurse).get(reverse("scheduling:day"))

    assert response.context["day"] == monday
    assert 'class="now-marker gr-11' in response.text  # 10:15 row
    assert "?date=2026-11-29" in response.text and "?date=2026-12-01" in response.text
    assert "data-print" in response.text


def test_clinician_asks_for_their_private_feed_address_on_the_week(client_for, monitor):
    client = client_for(monitor)
    week = client.get(reverse("scheduling:week"))
    assert not CalendarFeed.objects.exists()  # looking at the week makes nothing
    assert "Show my calendar address" in week.text

    response = client.post(reverse("scheduling:my_feed_create"), follow=True)

    feed = CalendarFeed.objects.get(clinician=monitor)
    assert feed.token in response.text
    assert "Show my calendar address" not in response.text
    client.post(reverse("scheduling:my_feed_create"))
    assert CalendarFeed.objects.get(clinician=monitor) == feed  # kept, not replaced


def test_staff_without_working_hours_get_no_feed(client_for, front_desk):
    client = client_for(front_desk)
    assert "Show my calendar address" not in client.get(reverse("scheduling:week")).text

    response = client.post(reverse("scheduling:my_feed_create"), follow=True)

    assert not CalendarFeed.objects.exists()
    assert "Only staff with working hours" in response.text


@pytest.mark.parametrize("sessions", [6, 24])
def test_plan_series_page_costs_the_same_for_any_series_length(
    client_for, front_desk, chair, monitor, sessions, django_assert_num_queries
):
    from scheduling.models import Protocol
    from tests.scheduling.factories import TreatmentPlanFactory

    protocol = Protocol.objects.get(name="IV induction")
    protocol.session_count = sessions
    protocol.save()
    plan = TreatmentPlanFactory(protocol_version=protocol.snapshot())
    client = client_for(front_desk)
    client.get(reverse("home"))

    with django_assert_num_queries(18):
        response = client.get(plan.get_absolute_url())

    assert len(response.context["formset"].forms) == sessions


@pytest.mark.parametrize("view", ["scheduling:day", "scheduling:week"])
@pytest.mark.parametrize(
    "date", ["2026-13-45", "0001-01-01", "9999-12-31", "2026-02-30", "not-a-date", "2040-01-01"]
)
def test_an_impossible_or_far_away_date_shows_today_with_a_message(client_for, nurse, view, date):
    monday = datetime.date(2026, 11, 30)
    with time_machine.travel(at(monday, 10), tick=False):
        response = client_for(nurse).get(reverse(view), {"date": date})

    assert response.status_code == 200
    shown = response.context.get("day") or response.context["days"][0]
    assert shown == monday
    assert "is not a date we can show" in response.text


def test_a_date_within_a_few_years_is_shown(client_for, nurse):
    with time_machine.travel(at(datetime.date(2026, 11, 30), 10), tick=False):
        response = client_for(nurse).get(reverse("scheduling:day"), {"date": "2029-06-01"})

    assert response.context["day"] == datetime.date(2029, 6, 1)


@pytest.mark.parametrize("count", [2, 12])
def test_the_home_page_shows_the_next_eight_sessions_in_the_same_queries(
    client_for, front_desk, clinic_open, count, django_assert_num_queries
):
    monday = next_weekday(0)
    fill_day(monday, count)

    with time_machine.travel(at(monday, 7), tick=False):
        client = client_for(front_desk)
        with django_assert_num_queries(HOME_PAGE_QUERIES_COUNTING):
            client.get(reverse("home"))
        with django_assert_num_queries(HOME_PAGE_QUERIES):
            response = client.get(reverse("home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Check in <span") == min(count, 8)
    assert f"{count} sessions today" in page


def test_the_front_desk_home_shows_who_is_checked_in_and_intakes_waiting(
    client_for, front_desk, chair, monitor
):
    from tests.intake.factories import submitted_intake

    monday = next_weekday(0)
    arrived = book(
        patient=cleared_patient("iv", legal_first_name="Robin", legal_last_name="Lee"),
        room=chair,
        clinician=monitor,
        starts_at=at(monday, 9),
    )
    submitted_intake()
    with time_machine.travel(at(monday, 8, 45), tick=False):
        arrived.check_in()
        response = client_for(front_desk).get(reverse("home"))

    assert "Checked in now:" in response.text
    assert "Robin Lee</a> · Chair 1 · since 8:45 AM" in response.text
    assert "1 intake waiting for a provider's review." in response.text
    assert reverse("intake:queue") not in response.text  # the queue itself is for clinicians


def test_the_day_grid_shows_twelve_chairs_a_page(client_for, nurse, clinic_open, monitor):
    monday = next_weekday(0)
    chairs = [chair_for("iv", name=f"Chair {n:02}") for n in range(1, 15)]
    book(patient=cleared_patient("iv"), room=chairs[13], clinician=monitor, starts_at=at(monday, 9))
    client = client_for(nurse)

    first = client.get(reverse("scheduling:day"), {"date": monday.isoformat()})
    second = client.get(reverse("scheduling:day"), {"date": monday.isoformat(), "page": 2})

    shown = [room.name for room, _ in first.context["rooms"]]
    assert shown == [f"Chair {n:02}" for n in range(1, 13)]
    assert first.context["blocks"] == []
    assert f"?date={monday.isoformat()}&amp;page=2" in first.text
    assert first.text.count("Chairs 1–12 of 14") == 1  # under the grid, not in the title
    assert "<title>Day by chair ·" in first.text
    assert [room.name for room, _ in second.context["rooms"]] == ["Chair 13", "Chair 14"]
    assert len(second.context["blocks"]) == 1


def test_the_week_shows_eight_clinicians_a_page(client_for, nurse, clinic_open):
    for n in range(10):
        clinician_with_hours(email=f"week-{n}@clinic.test", last_name=f"Clinician {n:02}")
    client = client_for(nurse)

    first = client.get(reverse("scheduling:week"))
    second = client.get(reverse("scheduling:week"), {"page": 2})

    assert len(first.context["table"]) == 8
    assert first.text.count("Clinicians 1–8 of 10") == 1  # under the table, not in the title
    assert "<title>Week by clinician ·" in first.text
    assert len(second.context["table"]) == 2


def test_today_is_paginated_and_opens_at_what_is_still_to_come(
    client_for, nurse, clinic_open, monkeypatch
):
    from scheduling.views import calendars

    monkeypatch.setattr(calendars, "TODAY_PER_PAGE", 5)
    monday = next_weekday(0)
    fill_day(monday, 12)

    with time_machine.travel(at(monday, 7), tick=False):
        morning = client_for(nurse).get(reverse("scheduling:today"))
    with time_machine.travel(at(monday, 23), tick=False):
        client = client_for(nurse)
        evening = client.get(reverse("scheduling:today"))
        first = client.get(reverse("scheduling:today"), {"page": 1})

    assert (morning.context["page"].number, len(morning.context["appointments"])) == (1, 5)
    assert (evening.context["page"].number, len(evening.context["appointments"])) == (3, 2)
    assert len(first.context["appointments"]) == 5


@pytest.mark.parametrize("count", [1, 7])
def test_the_home_page_lists_the_oldest_series_waiting_to_be_booked_in_one_query(
    client_for, front_desk, count, django_assert_num_queries
):
    from tests.scheduling.factories import TreatmentPlanFactory

    plans = [TreatmentPlanFactory() for _ in range(count)]
    client = client_for(front_desk)
    client.get(reverse("home"))

    with django_assert_num_queries(HOME_PAGE_QUERIES):
        page = client.get(reverse("home")).content.decode()

    shown = f"{count}, oldest 5 shown" if count > 5 else f"{count}"
    assert f"Series ordered, waiting to be booked ({shown}):" in page
    assert page.count(plans[0].get_absolute_url()) == 1
    assert (plans[-1].get_absolute_url() in page) is (count <= 5)
