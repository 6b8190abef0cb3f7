import datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Route
from scheduling.models import Appointment, SessionRecord
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


def post(client, appointment, action, **data):
    return client.post(
        reverse("scheduling:session_record", args=[appointment.pk]), {"action": action, **data}
    )


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


def test_high_blood_pressure_holds_dosing_until_a_provider_decides(
    client_for, nurse, provider, session
):
    nurse_client = client_for(nurse)
    post(nurse_client, session, "pre_dose", **{**PRE_DOSE, "systolic": "150", "diastolic": "95"})

    held = post(nurse_client, session, "dose", **DOSE)
    page = nurse_client.get(reverse("scheduling:session_record", args=[session.pk]))

    assert held.status_code == 302
    assert record_of(session).dose_started_at is None
    assert "Waiting for a provider" in page.text

    assert post(nurse_client, session, "hold", decision="proceed").status_code == 403
    post(client_for(provider), session, "hold", decision="proceed", note="Rechecked 138/88")
    post(client_for(nurse), session, "dose", **DOSE)

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


def dosed(client, appointment):
    post(client, appointment, "pre_dose", **PRE_DOSE)
    post(client, appointment, "dose", **DOSE)


def test_discharge_is_refused_before_the_minimum_monitoring_time(client_for, nurse, session):
    client = client_for(nurse)
    dosed(client, session)

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


def test_discharge_after_monitoring_then_sign_locks_the_record(client_for, nurse, session):
    client = client_for(nurse)
    dosed(client, session)
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


def test_a_signed_record_takes_amendments_only(client_for, nurse, session):
    client = client_for(nurse)
    dosed(client, session)
    post(client, session, "discharge", at="11:00", criteria_met="on", released_to_escort="on")
    post(client, session, "sign")

    post(client, session, "amend", text="Lot number was LOT-43.")

    record = record_of(session)
    assert record.amendments.get().author == nurse
    assert record.lot_number == "LOT-42"
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
        preparation_minutes=15,
        administration_minutes=10,
        monitoring_minutes=120,
        booked_by=monitor,
        status=Appointment.Status.CHECKED_IN,
    )


def test_rems_form_is_filled_from_the_record(client_for, nurse, esketamine_session, frozen):
    client = client_for(nurse)
    post(client, esketamine_session, "pre_dose", **PRE_DOSE, concomitant_maois="on")
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


def test_rems_forms_due_show_days_left_until_submitted(
    client_for, nurse, esketamine_session, frozen
):
    client = client_for(nurse)
    post(client, esketamine_session, "pre_dose", **PRE_DOSE)
    post(client, esketamine_session, "dose", **{**DOSE, "ended": "09:20"})
    frozen.move_to(at(MONDAY + datetime.timedelta(days=2), 12))
    client = client_for(nurse)

    listed = client.get(reverse("scheduling:rems_due"))
    client.post(reverse("scheduling:rems_mark_submitted", args=[esketamine_session.pk]))
    after = client.get(reverse("scheduling:rems_due"))

    assert "5 days left" in listed.text
    assert "No forms due." in after.text


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
