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
HOME_PAGE_QUERIES = 19


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

    with django_assert_num_queries(12):
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

    with django_assert_num_queries(11):
        client.get(reverse("scheduling:week") + f"?date={monday.isoformat()}")
    with django_assert_num_queries(10):
        client.get(reverse("scheduling:today"))


def test_day_view_shows_the_parts_of_a_session(client_for, nurse, chair, monitor, iv_patient):
    monday = next_weekday(0)
    book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    response = client_for(nurse).get(reverse("scheduling:day") + f"?date={monday}")

    assert 'class="dose"' in response.text
    assert "gr-6 gs-8" in response.text  # 9:00 is the fifth 15-minute row after 8:00
    assert "Alex Morgan" in response.text


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


def test_clinician_sees_their_private_feed_address_on_the_week(client_for, monitor):
    response = client_for(monitor).get(reverse("scheduling:week"))

    feed = CalendarFeed.objects.get(clinician=monitor)
    assert feed.token in response.text


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

    with django_assert_num_queries(21):
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


@pytest.mark.parametrize("count", [1, 12])
def test_the_home_page_query_count_does_not_grow_with_todays_sessions(
    client_for, front_desk, clinic_open, count, django_assert_num_queries
):
    monday = next_weekday(0)
    fill_day(monday, count)

    with time_machine.travel(at(monday, 7), tick=False):
        client = client_for(front_desk)
        with django_assert_num_queries(HOME_PAGE_QUERIES):
            response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.content.decode().count("Check in") >= count
