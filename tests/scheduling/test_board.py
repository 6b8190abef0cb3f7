"""The patient flow board: states read from the records, vitals due, roles, queries."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.models import LinkPurpose, PatientLink, Route
from scheduling.board import FlowState, board_rows
from scheduling.models import Appointment, Observation, SessionRecord
from tests.factories import UserFactory
from tests.scheduling.factories import at, chair_for, cleared_patient

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 30)


def moment(hour, minute=0):
    return at(MONDAY, hour, minute)


@pytest.fixture
def frozen():
    with time_machine.travel(moment(9, 5), tick=False) as traveller:
        yield traveller


def session(*, room, clinician, starts=None, route="iv", patient=None, **fields):
    appointment = Appointment.session_of(
        route=Route.objects.get(code=route),
        starts_at=starts or moment(9),
        patient=patient or cleared_patient(route),
        room=room,
        clinician=clinician,
        booked_by=clinician,
        **fields,
    )
    appointment.save()
    return appointment


def arrived(room, clinician, **fields):
    return session(
        room=room,
        clinician=clinician,
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=moment(8, 55),
        **fields,
    )


def pre_dosed(appointment, **fields):
    vitals = {"systolic": 128, "diastolic": 82, "heart_rate": 70, "spo2": 98}
    return SessionRecord.objects.create(
        appointment=appointment,
        escort_confirmed=True,
        fasting_kept=True,
        no_health_changes=True,
        vitals_at=moment(9, 5),
        **{**vitals, **fields},
    )


def row_for(appointment):
    (row,) = [r for r in board_rows(MONDAY, moment(0).tzinfo) if r.appointment == appointment]
    return row


# States, from what is recorded


def test_a_booked_session_is_expected(frozen, chair, monitor):
    row = row_for(session(room=chair, clinician=monitor))

    assert row.state == FlowState.EXPECTED
    assert row.details == ["Expected at 9:00 AM"]


def test_a_session_not_checked_in_well_after_its_start_is_late(frozen, chair, monitor):
    appointment = session(room=chair, clinician=monitor)
    frozen.move_to(moment(9, 25))

    assert row_for(appointment).details == ["Late: not checked in, 25 min after start"]


def test_a_checked_in_patient_has_arrived(frozen, chair, monitor):
    row = row_for(arrived(chair, monitor))

    assert row.state == FlowState.ARRIVED
    assert row.details == ["Checked in 8:55 AM (10 min ago)"]


def test_in_chair_once_seated(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    appointment.seat()

    row = row_for(appointment)

    assert row.state == FlowState.IN_CHAIR
    assert row.details == ["In chair since 9:05 AM", "Pre-dose vitals to take"]


def test_pre_dose_vitals_put_the_patient_in_the_chair(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    pre_dosed(appointment)

    row = row_for(appointment)

    assert row.state == FlowState.IN_CHAIR
    assert "Pre-dose BP 128/82 at 9:05 AM" in row.details


def test_a_blood_pressure_hold_is_shown_as_a_hold(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    pre_dosed(
        appointment,
        systolic=150,
        diastolic=95,
        hold_raised_at=moment(9, 5),
        hold_systolic=150,
        hold_diastolic=95,
    )

    row = row_for(appointment)

    assert row.state == FlowState.HELD
    assert row.label == "Dosing held"
    assert row.details == ["BP 150/95 at 9:05 AM: waiting for a provider's decision"]
    assert row.attention


def test_a_started_dose_is_dosing_with_vitals_due_at_the_routes_interval(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    record = pre_dosed(appointment)
    frozen.move_to(moment(9, 15))
    record.start_dose()
    frozen.move_to(moment(9, 20))

    row = row_for(appointment)

    assert row.state == FlowState.DOSING
    assert row.details == ["Dose started 9:15 AM (5 min ago)"]
    assert row.vitals.at == moment(9, 25)  # IV: every 10 minutes during the infusion
    assert row.vitals.text == "Next vitals 9:25 AM (in 5 min)"
    assert not row.attention


def dosed(appointment, started=(9, 15), ended=(9, 55), **fields):
    return pre_dosed(
        appointment,
        dose_amount=35,
        dose_unit="mg",
        lot_number="LOT-1",
        dose_started_at=moment(*started),
        dose_ended_at=moment(*ended),
        **fields,
    )


def observe(record, hour, minute):
    return Observation.objects.create(
        record=record,
        at=moment(hour, minute),
        systolic=120,
        diastolic=80,
        recorded_by=UserFactory(),
    )


def test_after_the_dose_the_patient_is_monitored_with_the_time_left(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    record = dosed(appointment)
    for minute in (25, 35, 45, 55):
        observe(record, 9, minute)
    frozen.move_to(moment(10, 15))

    row = row_for(appointment)

    assert row.state == FlowState.MONITORING
    assert row.details == [
        "20 min since the dose ended",
        "Minimum monitoring: 40 min left (until 10:55 AM)",
    ]
    assert row.vitals.at == moment(10, 10)  # every 15 minutes after the infusion
    assert row.vitals.overdue
    assert row.vitals.text == "Vitals overdue: due 10:10 AM, 5 min ago"
    assert row.attention


def test_the_interval_after_dosing_starts_once_the_next_set_falls_after_the_end(
    frozen, chair, monitor
):
    record = dosed(arrived(chair, monitor))
    observe(record, 9, 50)

    assert record.vitals_due_at(last_observation_at=moment(9, 50)) == moment(10, 5)
    assert record.vitals_due_at(last_observation_at=moment(9, 45)) == moment(9, 55)


def test_a_route_interval_edited_by_an_admin_applies(frozen, chair, monitor):
    Route.objects.filter(code="iv").update(vitals_every_during=15)
    appointment = arrived(chair, monitor)
    dosed(appointment)

    assert row_for(appointment).vitals.at == moment(9, 30)


def test_esketamine_vitals_are_due_40_minutes_after_dosing(frozen, monitor):
    room = chair_for("intranasal")
    appointment = arrived(room, monitor, route="intranasal")
    dosed(appointment, started=(9, 15), ended=(9, 25))
    frozen.move_to(moment(9, 30))

    assert row_for(appointment).vitals.at == moment(9, 55)


def test_ready_for_discharge_once_the_minimum_monitoring_has_passed(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    record = dosed(appointment)
    observe(record, 10, 50)
    frozen.move_to(moment(10, 56))

    row = row_for(appointment)

    assert row.state == FlowState.READY
    assert "Minimum monitoring met at 10:55 AM" in row.details
    assert row.vitals.text == "Next vitals 11:05 AM (in 9 min)"


def test_discharged_when_the_record_says_so(frozen, chair, monitor):
    appointment = arrived(chair, monitor)
    record = dosed(appointment)
    record.discharged_at = moment(11)
    record.save()
    frozen.move_to(moment(11, 30))

    row = row_for(appointment)

    assert row.state == FlowState.DISCHARGED
    assert row.details == ["Discharged 11:00 AM"]
    assert row.vitals is None


@pytest.mark.parametrize(
    ("status", "state", "details"),
    [
        (Appointment.Status.CANCELLED, FlowState.CANCELLED, ["Patient cancelled"]),
        (Appointment.Status.NO_SHOW, FlowState.NO_SHOW, ["Did not attend"]),
        (Appointment.Status.COMPLETED, FlowState.DISCHARGED, []),
    ],
)
def test_cancelled_no_show_and_completed_sessions_stay_on_the_board(
    frozen, chair, monitor, status, state, details
):
    reason = {"cancelled": "patient", "no_show": "no_show"}.get(status, "")
    row = row_for(session(room=chair, clinician=monitor, status=status, cancel_reason=reason))

    assert (row.state, row.details) == (state, details)


def test_the_board_shows_only_the_clinics_day(frozen, chair, monitor):
    session(room=chair, clinician=monitor, starts=moment(9) + datetime.timedelta(days=1))

    assert board_rows(MONDAY, moment(0).tzinfo) == []


# "In chair", audited


def test_front_desk_shows_a_checked_in_patient_in_the_chair(
    client_for, front_desk, frozen, chair, monitor
):
    appointment = arrived(chair, monitor)

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_seat", args=[appointment.pk]),
        {"next": reverse("scheduling:flow_board")},
    )

    assert response.status_code == 302
    assert response.url == reverse("scheduling:flow_board")
    appointment.refresh_from_db()
    assert appointment.seated_at == moment(9, 5)
    change = appointment.history.first()
    assert (change.seated_at, change.history_user) == (moment(9, 5), front_desk)


@pytest.mark.parametrize("next_url", ["abc", "https://evil.example/", "/a\nb"])
def test_a_strange_next_address_goes_back_to_the_session(
    client_for, front_desk, frozen, chair, monitor, next_url
):
    appointment = arrived(chair, monitor)

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_seat", args=[appointment.pk]), {"next": next_url}
    )

    assert response.status_code == 302
    assert response.url == appointment.get_absolute_url()


def test_a_patient_not_checked_in_cannot_be_shown_in_the_chair(
    client_for, front_desk, frozen, chair, monitor
):
    appointment = session(room=chair, clinician=monitor)

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_seat", args=[appointment.pk]), follow=True
    )

    assert "Only a checked-in patient can be shown in the chair." in response.text
    appointment.refresh_from_db()
    assert appointment.seated_at is None


# The page and its rows


def test_the_board_names_each_state_in_words(client_for, nurse, frozen, chair, monitor):
    session(room=chair, clinician=monitor, starts=moment(11))
    held = arrived(chair_for("iv"), monitor)
    pre_dosed(held, hold_raised_at=moment(9, 5), hold_systolic=150, hold_diastolic=95)

    response = client_for(nurse).get(reverse("scheduling:flow_board"))

    assert response.status_code == 200
    assert "Expected: 1" in response.text
    assert "Dosing held: 1" in response.text
    assert "waiting for a provider&#x27;s decision" in response.text
    assert 'aria-hidden="true">⚠</span> Dosing held' in response.text


def test_the_rows_are_served_alone_for_the_refresh(client_for, nurse, frozen, chair, monitor):
    session(room=chair, clinician=monitor)

    response = client_for(nurse).get(reverse("scheduling:flow_board_rows"))

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Expected at 9:00 AM" in response.text
    assert "Updated at 9:05 AM" in response.text


def test_the_page_says_where_and_how_often_to_refresh(client_for, nurse, frozen, settings):
    settings.FLOW_BOARD_REFRESH_SECONDS = 25

    response = client_for(nurse).get(reverse("scheduling:flow_board") + "?wall=1")

    assert f'data-refresh-url="{reverse("scheduling:flow_board_rows")}?wall=1"' in response.text
    assert 'data-refresh-seconds="25"' in response.text
    assert 'src="/static/js/scheduling/board.js"' in response.text


def test_wall_mode_shows_first_names_and_no_menu(client_for, nurse, frozen, chair, monitor):
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    session(room=chair, clinician=monitor, patient=patient)
    # A name no one else on the page has (the factories' random names can match the nurse's).
    gone_home = cleared_patient("iv", legal_first_name="Quinn", legal_last_name="Zabriskie")
    discharged = arrived(chair_for("iv", name="Chair 9"), monitor, patient=gone_home)
    dosed(discharged, started=(8, 0), ended=(8, 5), discharged_at=moment(9, 5))

    response = client_for(nurse).get(reverse("scheduling:flow_board") + "?wall=1")

    assert "Alex M." in response.text
    assert "Alex Morgan" not in response.text
    assert 'aria-label="Main"' not in response.text
    assert "Discharged: 1" in response.text  # counted, not listed
    assert discharged.patient.legal_last_name not in response.text


def test_the_board_is_in_the_menu_and_linked_from_home(client_for, front_desk):
    client = client_for(front_desk)

    home = client.get(reverse("home"))

    assert home.text.count(f'href="{reverse("scheduling:flow_board")}"') == 2


@pytest.mark.parametrize("role", ["front_desk", "nurse", "provider"])
def test_front_desk_nurses_and_providers_see_the_board(client_for, personas, role):
    client = client_for(personas[role])

    assert client.get(reverse("scheduling:flow_board")).status_code == 200
    assert client.get(reverse("scheduling:flow_board_rows")).status_code == 200


@pytest.mark.parametrize("name", ["scheduling:flow_board", "scheduling:flow_board_rows"])
def test_a_patient_link_session_does_not_see_the_board(client, patient, name):
    _link, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)
    assert client.get(reverse("intake:start", args=[token])).status_code == 302

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def busy_day(count):
    """`count` sessions of every kind of state, each with its own chair, patient and nurse."""
    for n in range(count):
        starts = moment(8) + datetime.timedelta(minutes=10 * n)
        room, clinician = chair_for("iv"), UserFactory(role="Nurse")
        kind = n % 4
        if kind == 0:
            session(room=room, clinician=clinician, starts=starts)
            continue
        appointment = session(
            room=room,
            clinician=clinician,
            starts=starts,
            status=Appointment.Status.CHECKED_IN,
            checked_in_at=starts,
            seated_at=starts,
        )
        if kind >= 2:
            record = dosed(appointment)
            if kind == 3:
                observe(record, 9, 25)
                observe(record, 9, 35)


# The clinic's settings, session, user, the second factor that verified the session,
# permissions, the day's appointments (one query with their records and last observations),
# the menu's role names, and the session's save (three statements). The rows alone draw no
# menu and leave the session as it was.
BOARD_QUERIES = 8
ROWS_QUERIES = 5


@pytest.mark.parametrize("count", [2, 30])
def test_the_board_runs_the_same_queries_whatever_the_days_size(
    client_for, nurse, frozen, count, django_assert_num_queries
):
    busy_day(count)
    client = client_for(nurse)
    client.get(reverse("scheduling:flow_board"))

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("scheduling:flow_board"))
    with django_assert_num_queries(ROWS_QUERIES):
        rows = client.get(reverse("scheduling:flow_board_rows"))

    assert len(response.context["rows"]) == count
    assert rows.text.count('class="board-row ') == count


def test_the_timed_refresh_does_not_keep_an_unattended_board_logged_in(client_for, nurse, frozen):
    client = client_for(nurse)
    assert client.get(reverse("scheduling:flow_board")).status_code == 200  # until 9:35

    frozen.move_to(moment(9, 30))
    assert client.get(reverse("scheduling:flow_board_rows")).status_code == 200
    frozen.move_to(moment(9, 40))
    response = client.get(reverse("scheduling:flow_board_rows"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_opening_the_board_counts_as_activity(client_for, nurse, frozen):
    client = client_for(nurse)
    client.get(reverse("scheduling:flow_board"))

    frozen.move_to(moment(9, 30))
    client.get(reverse("scheduling:flow_board"))
    frozen.move_to(moment(9, 40))

    assert client.get(reverse("scheduling:flow_board_rows")).status_code == 200
