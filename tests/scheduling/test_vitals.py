"""Vitals on time: each route's intervals, the next set due on the record, timed observations."""

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Route
from scheduling.models import Observation, SessionRecord
from tests.scheduling.factories import at, book
from tests.scheduling.test_records import DOSE, MONDAY, PRE_DOSE, moment, post, record_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(moment(9, 5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(frozen, chair, monitor, iv_patient):
    """Booked ahead, checked in at 8:30 for 9:00."""
    frozen.move_to(moment(8, 30))
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=moment(9))
    appointment.check_in()
    frozen.move_to(moment(9, 5))
    return appointment


@pytest.fixture
def later(frozen, client_for):
    """Move the frozen clock, then log in again: sessions expire after 30 idle minutes."""

    def move(user, hour, minute=0):
        frozen.move_to(at(MONDAY, hour, minute))
        return client_for(user)

    return move


OBSERVATION = {"systolic": "118", "diastolic": "76", "heart_rate": "66", "spo2": "97"}


@pytest.fixture
def dosed_at_ten(client_for, later, nurse, session):
    """Pre-dose checks at 9:05, the infusion 9:15 to 9:55 entered at 10:00."""
    post(client_for(nurse), session, "pre_dose", **PRE_DOSE)
    client = later(nurse, 10)
    post(client, session, "dose", **DOSE)
    return client


def page_of(client, session):
    return client.get(reverse("scheduling:session_record", args=[session.pk]))


def test_each_route_has_vitals_intervals_during_and_after_dosing():
    intervals = {
        route.code: (route.vitals_every_during, route.vitals_every_after)
        for route in Route.objects.all()
    }

    assert intervals == {
        "iv": (10, 15),
        "im": (15, 15),
        "sc": (15, 15),
        "oral": (15, 15),
        "intranasal": (15, 40),
    }


def test_a_clinic_admin_edits_a_routes_vitals_intervals(client_for, clinic_admin):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_route_change", args=["iv"]),
        {
            "name": "IV infusion",
            "preparation_minutes": 15,
            "administration_minutes": 40,
            "monitoring_minutes": 60,
            "vitals_every_during": 12,
            "vitals_every_after": 20,
            "active": "on",
        },
    )

    assert response.status_code == 302
    route = Route.objects.get(code="iv")
    assert (route.vitals_every_during, route.vitals_every_after) == (12, 20)
    assert route.history.first().history_user == clinic_admin


def test_the_record_says_the_next_set_is_overdue_in_words(session, dosed_at_ten):
    response = page_of(dosed_at_ten, session)

    assert "Vitals overdue: due 9:25 AM, 35 min ago" in response.text
    assert "IV infusion: every 10 min during the dose, every 15 min after." in response.text


def test_the_record_shows_when_the_next_set_is_due(later, nurse, session, dosed_at_ten):
    post(dosed_at_ten, session, "observe", **OBSERVATION)

    response = page_of(later(nurse, 10, 3), session)

    assert "Next vitals 10:15 AM (in 12 min)" in response.text
    assert "overdue" not in response.text


def test_an_observation_is_timed_now_unless_told_otherwise(later, nurse, session, dosed_at_ten):
    client = later(nurse, 10, 5)
    assert 'name="taken_at" value="10:05"' in page_of(client, session).text

    post(client, session, "observe", **OBSERVATION)

    assert record_of(session).observations.get().at == moment(10, 5)


def test_a_reading_written_on_paper_is_entered_with_its_own_time(
    later, nurse, session, dosed_at_ten
):
    response = post(later(nurse, 10, 5), session, "observe", taken_at="09:25", **OBSERVATION)

    assert response.status_code == 302
    observation = record_of(session).observations.get()
    assert observation.at == moment(9, 25)
    assert observation.systolic == 118


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "08:15",
            "The observation time (8:15 AM) is before the patient was checked in (at 8:30 AM).",
        ),
        ("10:30", "The observation time (10:30 AM) is later than now."),
    ],
)
def test_an_observation_time_before_check_in_or_in_the_future_is_refused_keeping_the_values(
    later, nurse, session, dosed_at_ten, typed, message
):
    response = post(
        later(nurse, 10, 5),
        session,
        "observe",
        taken_at=typed,
        intervention="Ondansetron 4 mg",
        **OBSERVATION,
    )

    assert response.status_code == 200
    assert message in response.text
    assert f'name="taken_at" value="{typed}"' in response.text
    assert 'name="systolic" value="118"' in response.text
    assert "Ondansetron 4 mg" in response.text
    assert not Observation.objects.exists()


def test_a_nurse_starts_an_infusion_and_records_it_when_it_ends(client_for, later, nurse, session):
    post(client_for(nurse), session, "pre_dose", **PRE_DOSE)
    client = later(nurse, 9, 15)

    post(client, session, "start_dose")
    running = page_of(later(nurse, 9, 20), session)
    post(later(nurse, 10), session, "dose", **DOSE)

    assert "Dose started at 9:15 AM." in running.text
    assert 'name="started" value="09:15"' in running.text
    assert "Next vitals 9:25 AM (in 5 min)" in running.text
    record = record_of(session)
    assert (record.dose_started_at, record.dose_ended_at) == (moment(9, 15), moment(9, 55))


def test_a_dose_cannot_start_before_the_checklist_and_vitals(client_for, nurse, session):
    response = post(client_for(nurse), session, "start_dose")

    assert response.status_code == 302
    assert not SessionRecord.objects.filter(dose_started_at__isnull=False).exists()
