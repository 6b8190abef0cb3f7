"""Worklist classification at its boundaries, on a frozen clinic day."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.models import LinkPurpose, PatientLink
from followups.models import FollowUp
from followups.worklist import Worklist, worklist_build
from scheduling.models import Appointment
from tests.factories import PatientFactory, UserFactory
from tests.followups.factories import ended_series, follow_up
from tests.scheduling.factories import at, book

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 11)  # a Wednesday
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 3, 11, 17, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def someone(db):
    return PatientFactory()


def test_a_follow_up_whose_window_opens_in_six_days_is_due_this_week(someone):
    due = follow_up(patient=someone, due_from=TODAY + 6 * DAY)
    follow_up(patient=someone, due_from=TODAY + 7 * DAY)

    assert list(worklist_build(today=TODAY).due) == [due]


def test_a_follow_up_is_overdue_the_day_after_its_window_closes(someone):
    late = follow_up(patient=someone, due_from=TODAY - 7 * DAY, due_by=TODAY - DAY)
    last_day = follow_up(patient=someone, due_from=TODAY - 6 * DAY, due_by=TODAY)

    worklist = worklist_build(today=TODAY)

    assert list(worklist.overdue) == [late]
    assert list(worklist.due) == [last_day]


def test_a_follow_up_booked_after_its_window_is_still_overdue(chair, monitor, iv_patient):
    late = follow_up(patient=iv_patient, due_from=TODAY - 7 * DAY, due_by=TODAY - DAY)
    late.appointment = book(
        patient=iv_patient, room=chair, clinician=monitor, starts_at=at(TODAY + 2 * DAY, 9)
    )
    late.save()

    assert list(worklist_build(today=TODAY).overdue) == [late]


def test_a_booked_follow_up_is_not_due(chair, monitor, iv_patient):
    booked = follow_up(patient=iv_patient, due_from=TODAY)
    booked.appointment = book(
        patient=iv_patient, room=chair, clinician=monitor, starts_at=at(TODAY + DAY, 9)
    )
    booked.save()

    assert list(worklist_build(today=TODAY).due) == []


def test_a_done_follow_up_is_not_overdue(someone):
    done = follow_up(patient=someone, due_from=TODAY - 9 * DAY, due_by=TODAY - 2 * DAY)
    done.complete()

    assert list(worklist_build(today=TODAY).overdue) == []


def test_a_follow_up_whose_visit_was_a_no_show_is_missed(chair, monitor, iv_patient):
    missed = follow_up(patient=iv_patient, due_from=TODAY - 2 * DAY)
    missed.appointment = book(
        patient=iv_patient, room=chair, clinician=monitor, starts_at=at(TODAY + DAY, 9)
    )
    missed.save()
    with time_machine.travel(at(TODAY + DAY, 10)):  # the visit's time has passed
        missed.appointment.mark_no_show()

    worklist = worklist_build(today=TODAY)

    assert list(worklist.missed) == [missed]
    assert not worklist.overdue.exists() and not worklist.due.exists()


def test_a_patient_in_a_series_with_nothing_booked_has_no_next_appointment(clinic_open):
    stalled = ended_series(last_day=TODAY - 3 * DAY, completed=3)
    Appointment.objects.filter(plan=stalled, status="booked").update(status="cancelled")
    finished = ended_series(last_day=TODAY - 3 * DAY, completed=6)

    plans = list(worklist_build(today=TODAY).no_next_appointment)

    assert plans == [stalled]
    assert finished not in plans


def test_a_booked_follow_up_does_not_hide_an_unfinished_series(clinic_open):
    stalled = ended_series(last_day=TODAY - 3 * DAY, completed=3)
    Appointment.objects.filter(plan=stalled, status="booked").update(status="cancelled")
    next_session = Appointment.objects.filter(plan=stalled, sequence=6).get()
    check_in = Appointment.objects.create(
        patient=stalled.patient,
        kind=Appointment.Kind.FOLLOW_UP,
        route=next_session.route,
        room=next_session.room,
        clinician=next_session.clinician,
        starts_at=at(TODAY + DAY, 9),
        ends_at=at(TODAY + DAY, 9) + datetime.timedelta(minutes=15),
        chair_until=at(TODAY + DAY, 9) + datetime.timedelta(minutes=15),
        preparation_minutes=0,
        administration_minutes=15,
        monitoring_minutes=0,
        booked_by=next_session.clinician,
    )
    unfinished = list(worklist_build(today=TODAY).no_next_appointment)
    check_in.kind = Appointment.Kind.SESSION
    check_in.save()

    assert unfinished == [stalled]
    assert list(worklist_build(today=TODAY).no_next_appointment) == []


def test_a_questionnaire_link_not_answered_is_listed_until_it_is(someone):
    link, _ = PatientLink.issue(patient=someone, purpose=LinkPurpose.QUESTIONNAIRE)

    assert list(worklist_build(today=TODAY).questionnaires) == [link]
    link.revoke()
    assert list(worklist_build(today=TODAY).questionnaires) == []


def test_the_worklist_can_show_one_providers_patients(someone, provider):
    other = UserFactory(role="Provider")
    mine = follow_up(patient=someone, due_from=TODAY, provider=provider)
    follow_up(patient=someone, due_from=TODAY, provider=other)

    assert list(worklist_build(today=TODAY, provider=provider).due) == [mine]


def test_the_worklist_page_filters_by_provider(client_for, front_desk, provider, someone):
    follow_up(patient=someone, due_from=TODAY, provider=UserFactory(role="Provider"))

    response = client_for(front_desk).get(
        reverse("followups:worklist") + f"?provider={provider.pk}"
    )

    assert response.context["provider"] == provider
    assert not response.context["worklist"].due.exists()


def overdue_follow_ups(count):
    patients = PatientFactory.create_batch(min(count, 20))
    FollowUp.objects.bulk_create(
        FollowUp(
            patient=patients[n % len(patients)],
            kind="phone",
            due_from=TODAY - 9 * DAY,
            due_by=TODAY - 3 * DAY,
        )
        for n in range(count)
    )
    for patient in patients:
        PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)


@pytest.mark.parametrize("rows", [2, 300])
def test_the_worklist_overview_reads_five_rows_a_section_whatever_the_number(
    client_for, nurse, rows, django_assert_num_queries
):
    overdue_follow_ups(rows)
    client = client_for(nurse)
    client.get(reverse("followups:worklist"))  # counts the sections, kept in the cache

    # One read a section, the verified device, and the controlled-substance counts (cache).
    with django_assert_num_queries(17):
        response = client.get(reverse("followups:worklist"))

    section, count, shown = response.context["sections"][0]
    assert (section.key, count) == ("overdue", rows)
    assert len(shown) == min(rows, 5)
    assert f"Overdue follow-ups ({rows})" in response.content.decode()


@pytest.mark.parametrize("rows", [2, 300])
def test_a_worklist_section_is_paginated(client_for, nurse, rows, django_assert_num_queries):
    overdue_follow_ups(rows)
    client = client_for(nurse)
    url = reverse("followups:worklist") + "?section=overdue"
    client.get(url)

    # The count is the one kept for the overview (one read of the cache, no COUNT).
    with django_assert_num_queries(10):
        response = client.get(url)

    [(section, count, shown)] = response.context["sections"]
    assert count == rows
    assert len(shown) == min(rows, 25)
    if rows > 25:
        assert "?section=overdue&amp;page=2" in response.content.decode()
        last = client.get(url + "&page=12")
        assert len(last.context["sections"][0][2]) == 300 - 11 * 25


def test_the_home_page_counts_the_worklist(client_for, front_desk, someone):
    follow_up(patient=someone, due_from=TODAY - 9 * DAY, due_by=TODAY - 3 * DAY)
    follow_up(patient=someone, due_from=TODAY)

    response = client_for(front_desk).get(reverse("home"))

    panel = next(p for p in response.context["panels"] if p.title == "Worklist")
    assert panel.context["counts"]["overdue"] == 1
    assert panel.context["counts"]["due"] == 1
    assert "Overdue follow-ups" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["due", "overdue", "missed"])
def test_each_follow_up_section_says_open_once(key):
    """PostgreSQL multiplies the odds of a condition written twice and, expecting a
    handful of rows, sorts every open follow-up instead of reading its index in order."""
    sql = str(Worklist().rows(key).query)

    assert sql.count('"completed_at" IS NULL') == sql.count('"cancelled_at" IS NULL') == 1
