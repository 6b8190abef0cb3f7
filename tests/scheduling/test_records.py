import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import Route
from scheduling.models import Appointment, SessionRecord
from tests.controlled.factories import draw_dose
from tests.scheduling.factories import at, book, chair_for, cleared_patient

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 30)


def moment(hour, minute=0):
    return at(MONDAY, hour, minute)


@pytest.fixture
def frozen():
    with time_machine.travel(moment(9, 5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(frozen, chair, monitor, iv_patient):
    # Booked ahead (sessions cannot be booked in the past), checked in on the day.
    frozen.move_to(moment(8, 30))
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=moment(9))
    appointment.check_in()
    frozen.move_to(moment(9, 5))
    return appointment


@pytest.fixture
def later(frozen, client_for):
    """Move the frozen clock, then log in again: sessions expire after 30 idle minutes."""

    def move(user, hour, minute=0, day=MONDAY):
        frozen.move_to(at(day, hour, minute))
        return client_for(user)

    return move


def post(client, appointment, action, **data):
    return client.post(reverse(f"scheduling:session_record_{action}", args=[appointment.pk]), data)


PRE_DOSE = {
    "escort_confirmed": "on",
    "fasting_kept": "on",
    "no_health_changes": "on",
    "systolic": "128",
    "diastolic": "82",
    "heart_rate": "72",
    "spo2": "98",
}
DOSE = {"amount": "35", "unit": "mg", "lot_number": "LOT-42", "started": "09:15", "ended": "09:55"}


def record_of(appointment):
    return SessionRecord.objects.get(appointment=appointment)


def test_nurse_records_checklist_and_vitals(client_for, nurse, session):
    response = post(client_for(nurse), session, "pre_dose", **PRE_DOSE)

    assert response.status_code == 302
    record = record_of(session)
    assert record.checklist_complete
    assert (record.systolic, record.diastolic) == (128, 82)


def test_the_checklist_names_the_escort_from_the_intake(client_for, nurse, session):
    patient = session.patient
    patient.escort_name, patient.escort_phone = "Jamie Doe", "4155550111"
    patient.save()

    response = client_for(nurse).get(reverse("scheduling:session_record", args=[session.pk]))

    assert "Escort home: <strong>Jamie Doe</strong>" in response.text
    assert "(415) 555-0111" in response.text


def test_high_blood_pressure_holds_dosing_until_a_provider_decides(
    client_for, later, nurse, provider, session
):
    post(
        client_for(nurse), session, "pre_dose", **{**PRE_DOSE, "systolic": "150", "diastolic": "95"}
    )
    nurse_client = later(nurse, 10)

    held = post(nurse_client, session, "dose", **DOSE)
    page = nurse_client.get(reverse("scheduling:session_record", args=[session.pk]))

    assert held.status_code == 302
    assert record_of(session).dose_started_at is None
    assert "Waiting for a provider" in page.text

    assert post(nurse_client, session, "hold", decision="proceed").status_code == 403
    post(client_for(provider), session, "hold", decision="proceed", note="Rechecked 138/88")
    post(later(nurse, 10), session, "dose", **DOSE)

    record = record_of(session)
    assert record.hold_decided_by == provider
    assert record.hold_decided_at is not None
    assert record.dose_started_at == moment(9, 15)


def test_the_threshold_is_the_clinic_setting(session):
    from clinic.models import Clinic

    clinic = Clinic.load()
    clinic.dosing_hold_systolic = 160
    clinic.save()
    record = SessionRecord(appointment=session, systolic=150, diastolic=85)

    assert not record.bp_above_threshold


def dosed(client, later, user, appointment):
    """Pre-dose checks at 9:05, then the dose (9:15 to 9:55) entered at 10:00."""
    post(client, appointment, "pre_dose", **PRE_DOSE)
    post(later(user, 10), appointment, "dose", **DOSE)
    draw_dose(record_of(appointment), user)


def test_discharge_is_refused_before_the_minimum_monitoring_time(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 10, 45)

    response = post(
        client,
        session,
        "discharge",
        at="10:40",
        criteria_met="on",
        released_to_escort="on",
        vitals_acceptable_at_end="on",
    )

    messages = [str(m) for m in response.wsgi_request._messages]
    assert record_of(session).discharged_at is None
    assert "minimum monitoring is 60 minutes; 15 minutes remain (from 10:55 AM)" in messages[-1]


def test_discharge_after_monitoring_then_sign_locks_the_record(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 10, 30)
    post(
        client,
        session,
        "observe",
        systolic="135",
        diastolic="85",
        heart_rate="80",
        spo2="97",
        moaas="4",
        nausea="on",
        intervention="Ondansetron 4 mg",
    )
    client = later(nurse, 11)

    post(
        client,
        session,
        "discharge",
        at="11:00",
        criteria_met="on",
        released_to_escort="on",
        vitals_acceptable_at_end="on",
    )
    post(client, session, "sign")
    post(client, session, "pre_dose", **{**PRE_DOSE, "systolic": "100"})

    record = record_of(session)
    session.refresh_from_db()
    assert record.locked and record.signed_by == nurse
    assert record.systolic == 128
    assert session.status == Appointment.Status.COMPLETED
    assert record.observations.get().intervention == "Ondansetron 4 mg"


def test_a_signed_record_takes_amendments_only(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 11)
    post(client, session, "discharge", at="11:00", criteria_met="on", released_to_escort="on")
    post(client, session, "sign")

    refused = post(client, session, "dose", **{**DOSE, "lot_number": "LOT-43"})
    post(client, session, "amend", text="Lot number was LOT-43.")

    assert "signed" in messages_of(refused)[-1].lower()
    record = record_of(session)
    assert record.lot_number == "KX1234"  # the drawn vial's lot, kept as signed
    assert record.amendments.get().author == nurse
    assert record.history.count() >= 4


@pytest.fixture
def esketamine_session(frozen, clinic_open, monitor):
    room = chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    route = Route.objects.get(code="intranasal")
    return Appointment.objects.create(
        patient=patient,
        route=route,
        room=room,
        clinician=monitor,
        starts_at=moment(9),
        ends_at=moment(11, 25),
        chair_until=moment(11, 25),
        preparation_minutes=15,
        administration_minutes=10,
        monitoring_minutes=120,
        booked_by=monitor,
        status=Appointment.Status.CHECKED_IN,
    )


def test_rems_form_is_filled_from_the_record(client_for, later, nurse, esketamine_session, frozen):
    post(client_for(nurse), esketamine_session, "pre_dose", **PRE_DOSE, concomitant_maois="on")
    client = later(nurse, 9, 20)
    post(client, esketamine_session, "dose", **{**DOSE, "amount": "56", "ended": "09:20"})
    frozen.move_to(moment(9, 55))
    client = client_for(nurse)  # sessions expire after 30 idle minutes
    post(client, esketamine_session, "observe", systolic="145", diastolic="92", dissociation="on")
    frozen.move_to(moment(11, 20))
    client = client_for(nurse)
    post(client, esketamine_session, "observe", systolic="126", diastolic="80", moaas="5")
    post(
        client,
        esketamine_session,
        "discharge",
        at="11:20",
        criteria_met="on",
        released_to_escort="on",
        vitals_acceptable_at_end="on",
    )

    response = client.get(reverse("scheduling:rems_form", args=[esketamine_session.pk]))

    text = response.text
    assert "56 mg" in text and "LOT-42" in text
    assert "<td>125</td>" in text  # 9:15 to 11:20
    assert "145/92 at 9:55 AM" in text
    assert "126/80 at 11:20 AM" in text
    assert "Concomitant MAOIs</th><td>Yes" in text
    assert "Dissociation</th><td>Yes" in text
    assert "Sedation</th><td>No" in text


def signed_esketamine(client_for, later, nurse, appointment):
    post(client_for(nurse), appointment, "pre_dose", **PRE_DOSE)
    post(later(nurse, 9, 20), appointment, "dose", **{**DOSE, "amount": "56", "ended": "09:20"})
    draw_dose(record_of(appointment), nurse)
    client = later(nurse, 11, 20)
    post(client, appointment, "discharge", at="11:20", criteria_met="on", released_to_escort="on")
    post(client, appointment, "sign")


def test_rems_forms_due_show_days_left_until_submitted(
    client_for, later, nurse, esketamine_session
):
    signed_esketamine(client_for, later, nurse, esketamine_session)
    client = later(nurse, 12, day=MONDAY + datetime.timedelta(days=2))

    listed = client.get(reverse("scheduling:rems_due"))
    client.post(reverse("scheduling:rems_mark_submitted", args=[esketamine_session.pk]))
    after = client.get(reverse("scheduling:rems_due"))

    assert "5 days left" in listed.text
    assert "No forms due." in after.text


def test_the_worklist_shows_rems_forms_due_in_the_same_table(
    client_for, later, nurse, esketamine_session
):
    signed_esketamine(client_for, later, nurse, esketamine_session)
    client = later(nurse, 12, day=MONDAY + datetime.timedelta(days=2))

    rems_page = client.get(reverse("scheduling:rems_due"))
    worklist = client.get(reverse("followups:worklist"))

    form_url = reverse("scheduling:rems_form", args=[esketamine_session.pk])
    for page in (rems_page, worklist):
        assert "5 days left" in page.text
        assert form_url in page.text
        assert f"MRN {esketamine_session.patient.mrn}" in page.text
    assert "Mark submitted" in rems_page.text
    assert "Mark submitted" not in worklist.text


def test_providers_home_page_lists_sessions_waiting_for_a_decision(
    client_for, nurse, provider, session
):
    post(client_for(nurse), session, "pre_dose", **{**PRE_DOSE, "systolic": "150"})

    response = client_for(provider).get(reverse("home"))

    assert "Dosing held: your decision is needed" in response.text
    assert "BP 150/82" in response.text


def test_a_session_in_progress_cannot_be_moved(client_for, front_desk, session):
    response = client_for(front_desk).get(
        reverse("scheduling:appointment_reschedule", args=[session.pk])
    )

    assert response.status_code == 302


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def page_of(client, appointment):
    return client.get(reverse("scheduling:session_record", args=[appointment.pk]))


# A session is recorded only once the patient is checked in.


@pytest.fixture
def booked(frozen, chair, monitor, iv_patient):
    # Booked ahead (sessions cannot be booked in the past); the clock then reaches it.
    frozen.move_to(moment(8, 30))
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=moment(9))
    frozen.move_to(moment(9, 5))
    return appointment


def test_a_session_not_checked_in_cannot_be_recorded(client_for, nurse, booked):
    response = post(client_for(nurse), booked, "pre_dose", **PRE_DOSE)

    assert response.status_code == 302
    assert "Check the patient in" in messages_of(response)[-1]
    assert not SessionRecord.objects.filter(appointment=booked).exists()


def test_a_cancelled_session_page_explains_it_cannot_be_recorded(client_for, nurse, booked):
    booked.cancel(reason=Appointment.CancelReason.CLINIC)

    response = page_of(client_for(nurse), booked)

    assert response.status_code == 200
    assert "A cancelled session cannot be recorded." in response.text
    assert "Save checklist and vitals" not in response.text


def test_a_no_show_cannot_be_recorded(client_for, nurse, booked):
    booked.mark_no_show()

    response = post(client_for(nurse), booked, "pre_dose", **PRE_DOSE)

    assert "did not attend" in messages_of(response)[-1]
    assert not SessionRecord.objects.filter(appointment=booked).exists()


def test_signing_a_session_cancelled_after_check_in_is_refused(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 11)
    post(client, session, "discharge", at="11:00", criteria_met="on", released_to_escort="on")
    session.cancel(reason=Appointment.CancelReason.PATIENT)

    response = post(client, session, "sign")

    assert response.status_code == 302
    assert "A cancelled session cannot be recorded." in messages_of(response)[-1]
    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert not record_of(session).locked


def test_signing_does_not_reactivate_a_cancelled_session_whose_chair_was_rebooked(
    later, nurse, session, chair, monitor
):
    record = SessionRecord.objects.create(
        appointment=session, escort_confirmed=True, fasting_kept=True, no_health_changes=True
    )
    record.record_pre_dose()
    later(nurse, 10)
    record.record_dose(
        amount=35, unit="mg", lot_number="L", started_at=moment(9, 15), ended_at=moment(9, 55)
    )
    later(nurse, 11)
    record.discharge(
        at=moment(11), criteria_met=True, released_to_escort=True, vitals_acceptable_at_end=True
    )
    session.cancel(reason=Appointment.CancelReason.CLINIC)
    # The freed chair is booked again for the same time (as if done before it began).
    other = Appointment.objects.create(
        patient=cleared_patient("iv"),
        route=session.route,
        room=chair,
        clinician=monitor,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        chair_until=session.ends_at,
        preparation_minutes=session.preparation_minutes,
        administration_minutes=session.administration_minutes,
        monitoring_minutes=session.monitoring_minutes,
        booked_by=monitor,
    )

    with pytest.raises(ValidationError):
        SessionRecord.objects.get(pk=record.pk).sign(by=nurse)

    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert other.status == Appointment.Status.BOOKED


def test_a_signed_record_can_still_be_viewed(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 11)
    post(client, session, "discharge", at="11:00", criteria_met="on", released_to_escort="on")
    post(client, session, "sign")

    response = page_of(client, session)

    assert response.status_code == 200
    assert "Signed and locked" in response.text
    assert "cannot be recorded" not in response.text


# Times the nurse types may not be in the future.


def test_a_dose_ending_in_the_future_is_refused(client_for, nurse, session):
    client = client_for(nurse)
    post(client, session, "pre_dose", **PRE_DOSE)

    response = post(client, session, "dose", **DOSE)  # it is 9:05; the dose "ends" at 9:55

    assert "later than now" in messages_of(response)[-1]
    assert record_of(session).dose_started_at is None


def test_a_dose_entered_a_few_minutes_ahead_of_the_clock_is_accepted(client_for, nurse, session):
    client = client_for(nurse)
    post(client, session, "pre_dose", **PRE_DOSE)

    post(client, session, "dose", **{**DOSE, "started": "09:05", "ended": "09:09"})

    assert record_of(session).dose_ended_at == moment(9, 9)


def test_a_dose_cannot_start_before_the_patient_checked_in(client_for, later, nurse, session):
    post(client_for(nurse), session, "pre_dose", **PRE_DOSE)

    response = post(later(nurse, 10), session, "dose", **{**DOSE, "started": "08:00"})

    assert "before the patient was checked in" in messages_of(response)[-1]
    assert record_of(session).dose_started_at is None


def test_a_future_discharge_time_cannot_skip_the_monitoring(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)

    response = post(
        later(nurse, 10, 5),
        session,
        "discharge",
        at="11:00",
        criteria_met="on",
        released_to_escort="on",
    )

    assert "later than now" in messages_of(response)[-1]
    assert record_of(session).discharged_at is None


# The blood-pressure hold stays until a provider decides.


def test_re_entering_a_lower_blood_pressure_does_not_lift_the_hold(
    client_for, later, nurse, session
):
    client = client_for(nurse)
    post(client, session, "pre_dose", **{**PRE_DOSE, "systolic": "150", "diastolic": "95"})
    post(client, session, "pre_dose", **PRE_DOSE)

    response = post(later(nurse, 10), session, "dose", **DOSE)

    assert "Dosing is held" in messages_of(response)[-1]
    record = record_of(session)
    assert record.dose_started_at is None
    assert (record.hold_systolic, record.hold_diastolic) == (150, 95)
    assert record.hold_raised_at == moment(9, 5)


def test_the_reading_that_raised_the_hold_stays_on_the_page(client_for, nurse, session):
    client = client_for(nurse)
    post(client, session, "pre_dose", **{**PRE_DOSE, "systolic": "150", "diastolic": "95"})
    post(client, session, "pre_dose", **PRE_DOSE)

    response = page_of(client, session)

    assert "Dosing held: BP 150/95" in response.text
    assert "Waiting for a provider" in response.text


# Refused requests write nothing.


def test_posting_to_the_page_itself_creates_no_record(client_for, nurse, session):
    response = client_for(nurse).post(
        reverse("scheduling:session_record", args=[session.pk]), {"action": "pre_dose", **PRE_DOSE}
    )

    assert response.status_code == 405
    assert not SessionRecord.objects.filter(appointment=session).exists()


def test_a_step_out_of_order_creates_no_record(client_for, nurse, session):
    response = post(client_for(nurse), session, "sign")

    assert response.status_code == 302
    assert not SessionRecord.objects.filter(appointment=session).exists()


# REMS forms and amendments.


def test_an_unsigned_record_cannot_be_marked_rems_submitted(
    client_for, later, nurse, esketamine_session
):
    post(client_for(nurse), esketamine_session, "pre_dose", **PRE_DOSE)
    client = later(nurse, 9, 20)
    post(client, esketamine_session, "dose", **{**DOSE, "ended": "09:20"})

    response = client.post(reverse("scheduling:rems_mark_submitted", args=[esketamine_session.pk]))

    assert response.status_code == 302
    assert "Sign the session record" in messages_of(response)[-1]
    assert record_of(esketamine_session).rems_submitted_at is None


def test_an_iv_record_cannot_be_marked_rems_submitted(client_for, later, nurse, session):
    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 11)
    post(client, session, "discharge", at="11:00", criteria_met="on", released_to_escort="on")
    post(client, session, "sign")

    response = client.post(reverse("scheduling:rems_mark_submitted", args=[session.pk]))

    assert "Only esketamine" in messages_of(response)[-1]
    assert record_of(session).rems_submitted_at is None


def test_an_unsigned_record_takes_no_amendment(nurse, session):
    record = SessionRecord.objects.create(appointment=session)

    with pytest.raises(ValidationError) as refused:
        record.amend(text="Lot number was LOT-43.", by=nurse)

    assert refused.value.code == "not_signed"
    assert not record.amendments.exists()


def test_two_nurses_starting_the_same_record_at_once_get_a_message_not_an_error(
    client_for, nurse, session, monkeypatch
):
    from scheduling.views import records as record_views

    SessionRecord.objects.create(appointment=session)
    # The second nurse's request read "no record yet" just before the first one saved.
    monkeypatch.setattr(record_views, "_record_for", lambda pk: SessionRecord(appointment=session))

    response = post(client_for(nurse), session, "pre_dose", **PRE_DOSE)

    assert response.status_code == 302
    assert "Someone else started this session record" in messages_of(response)[-1]
    assert SessionRecord.objects.filter(appointment=session).count() == 1


def rems_forms_due(count, *, clinician):
    """`count` dosed esketamine sessions on consecutive past days, forms not submitted."""
    room = chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    route = Route.objects.get(code="intranasal")
    for n in range(count):
        starts = moment(9) - datetime.timedelta(days=n + 1)
        appointment = Appointment.session_of(
            route=route,
            starts_at=starts,
            patient=patient,
            room=room,
            clinician=clinician,
            status=Appointment.Status.COMPLETED,
            booked_by=clinician,
        )
        appointment.save()
        SessionRecord.objects.create(
            appointment=appointment,
            dose_started_at=starts,
            rems_due_on=starts.date() + datetime.timedelta(days=7),
        )


@pytest.mark.parametrize("count", [2, 30])
def test_the_rems_list_shows_25_a_page_in_the_same_queries(
    client_for, nurse, frozen, clinic_open, monitor, count, django_assert_num_queries
):
    rems_forms_due(count, clinician=monitor)
    client = client_for(nurse)
    client.get(reverse("scheduling:rems_due"))

    with django_assert_num_queries(9):
        response = client.get(reverse("scheduling:rems_due"))

    assert len(response.context["page"].object_list) == min(count, 25)
    assert response.text.count("Open form <span") == min(count, 25)


@pytest.mark.parametrize("readings", [1, 12])
def test_the_record_page_reads_the_same_queries_for_one_or_many_observations(
    client_for, later, nurse, session, readings, django_assert_num_queries
):
    """The appointment is read once with its patient, route, room and clinician, and the
    record's draws once for its dose form and its controlled-substance panel."""
    from scheduling.models import Observation

    dosed(client_for(nurse), later, nurse, session)
    record = record_of(session)
    for minute in range(readings):
        Observation.objects.create(
            record=record, at=moment(10, minute), systolic=120, diastolic=80, heart_rate=70,
            spo2=98, moaas=5, recorded_by=nurse,
        )  # fmt: skip
    client = later(nurse, 10, 30)
    url = reverse("scheduling:session_record", args=[session.pk])
    client.get(url)

    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = client.get(url)

    assert response.content.decode().count("<td>120/80</td>") == readings


RECORD_PAGE_QUERIES = 16


def test_saving_an_observation_does_not_read_the_session_s_earlier_ones(
    client_for, later, nurse, session
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dosed(client_for(nurse), later, nurse, session)
    client = later(nurse, 10, 15)
    reading = {"systolic": "122", "diastolic": "78", "heart_rate": "70", "spo2": "98",
               "moaas": "5", "taken_at": "10:15"}  # fmt: skip
    post(client, session, "observe", **reading)

    with CaptureQueriesContext(connection) as queries:
        response = post(client, session, "observe", **reading)

    assert response.status_code == 302
    assert record_of(session).observations.count() == 2
    assert not [q for q in queries if q["sql"].startswith('SELECT "scheduling_observation"')]
