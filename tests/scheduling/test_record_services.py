"""The session-record services: each step in one transaction, refusals as domain errors."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from scheduling import hooks
from scheduling.models import Appointment, Observation, SessionRecord
from scheduling.records import (
    RecordStartedTwice,
    session_record_amend,
    session_record_discharge,
    session_record_dose,
    session_record_hold_decide,
    session_record_observe,
    session_record_pre_dose,
    session_record_sign,
)
from tests.scheduling.factories import at, book

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 30)
CHECKLIST = {
    "escort_confirmed": True,
    "fasting_kept": True,
    "no_health_changes": True,
    "systolic": 128,
    "diastolic": 82,
    "heart_rate": 72,
    "spo2": 98,
}


def moment(hour, minute=0):
    return at(MONDAY, hour, minute)


@pytest.fixture
def frozen():
    with time_machine.travel(moment(8, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(frozen, chair, monitor, iv_patient):
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=moment(9))
    appointment.check_in()
    frozen.move_to(moment(9, 5))
    return appointment


def new_record(appointment):
    return SessionRecord(appointment=appointment)


def checked(appointment, **changes):
    return session_record_pre_dose(record=new_record(appointment), **{**CHECKLIST, **changes})


def dosed(appointment, frozen):
    record = checked(appointment)
    frozen.move_to(moment(10))
    return session_record_dose(
        record=record,
        amount=Decimal("35"),
        unit="mg",
        lot_number="LOT-42",
        started_at=moment(9, 15),
        ended_at=moment(9, 55),
    )


def discharged(appointment, frozen):
    record = dosed(appointment, frozen)
    frozen.move_to(moment(11))
    return session_record_discharge(
        record=record,
        at=moment(11),
        criteria_met=True,
        released_to_escort=True,
        vitals_acceptable_at_end=True,
    )


@pytest.fixture
def signed_handlers(monkeypatch):
    """The session-signed hook with only the handlers a test registers."""
    handlers = []
    monkeypatch.setattr(hooks, "_session_signed_handlers", handlers)
    return handlers


def test_pre_dose_starts_the_record_with_its_checklist_and_vitals(session):
    record = checked(session)

    record.refresh_from_db()
    assert record.checklist_complete
    assert (record.systolic, record.diastolic, record.heart_rate, record.spo2) == (128, 82, 72, 98)
    assert record.vitals_at == moment(9, 5)
    assert not record.hold_raised


def test_pre_dose_above_the_threshold_holds_dosing(session):
    record = checked(session, systolic=150, diastolic=95)

    record.refresh_from_db()
    assert record.dosing_held
    assert (record.hold_systolic, record.hold_diastolic) == (150, 95)


def test_pre_dose_for_a_session_not_checked_in_saves_nothing(frozen, chair, monitor, iv_patient):
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=moment(9))

    with pytest.raises(ValidationError) as refused:
        checked(appointment)

    assert refused.value.code == "appointment_booked"
    assert not SessionRecord.objects.exists()


def test_a_record_started_by_someone_else_at_the_same_moment_is_a_domain_error(session):
    SessionRecord.objects.create(appointment=session)

    with pytest.raises(RecordStartedTwice) as refused:
        checked(session)  # this step read "no record yet" before the other one was saved

    assert "Someone else started this session record at the same moment" in str(refused.value)
    assert SessionRecord.objects.get(appointment=session).vitals_at is None


def test_a_provider_decides_to_proceed_and_dosing_is_no_longer_held(session, provider):
    record = checked(session, systolic=150)

    session_record_hold_decide(record=record, decision="proceed", by=provider, note="Rechecked")

    record.refresh_from_db()
    assert not record.dosing_held
    assert record.hold_decided_by == provider
    assert record.hold_note == "Rechecked"


def test_a_hold_decision_without_a_hold_is_refused(session, provider):
    record = checked(session)

    with pytest.raises(ValidationError) as refused:
        session_record_hold_decide(record=record, decision="proceed", by=provider)

    assert refused.value.code == "not_held"
    record.refresh_from_db()
    assert record.hold_decided_by is None


def test_dose_is_recorded_with_its_times(session, frozen):
    record = dosed(session, frozen)

    record.refresh_from_db()
    assert (record.dose_amount, record.dose_unit, record.lot_number) == (35, "mg", "LOT-42")
    assert record.earliest_discharge == moment(10, 55)


def test_dose_is_refused_while_dosing_is_held(session, frozen):
    record = checked(session, systolic=150)
    frozen.move_to(moment(10))

    with pytest.raises(ValidationError) as refused:
        session_record_dose(
            record=record,
            amount=Decimal("35"),
            unit="mg",
            lot_number="LOT-42",
            started_at=moment(9, 15),
            ended_at=moment(9, 55),
        )

    assert refused.value.code == "held"
    record.refresh_from_db()
    assert record.dose_started_at is None


def test_an_observation_is_added_by_whoever_recorded_it(session, frozen, nurse):
    record = dosed(session, frozen)

    observation = session_record_observe(
        record=record, observation=Observation(systolic=132, diastolic=84, moaas=4), by=nurse
    )

    assert record.observations.get() == observation
    assert (observation.recorded_by, observation.at) == (nurse, moment(10))


def test_an_observation_before_the_dose_saves_nothing(session, nurse):
    record = checked(session)

    with pytest.raises(ValidationError):
        session_record_observe(record=record, observation=Observation(systolic=132), by=nurse)

    assert not Observation.objects.exists()


def test_discharge_before_the_minimum_monitoring_is_refused(session, frozen):
    record = dosed(session, frozen)
    frozen.move_to(moment(10, 45))

    with pytest.raises(ValidationError) as refused:
        session_record_discharge(
            record=record,
            at=moment(10, 40),
            criteria_met=True,
            released_to_escort=True,
            vitals_acceptable_at_end=True,
        )

    assert refused.value.code == "too_early"
    record.refresh_from_db()
    assert record.discharged_at is None


def test_signing_locks_the_record_completes_the_session_and_calls_the_hook(
    session, frozen, nurse, signed_handlers
):
    record = discharged(session, frozen)
    signed_handlers.append(lambda *, record: called.append(record.pk))
    called = []

    session_record_sign(record=record, by=nurse)

    record.refresh_from_db()
    session.refresh_from_db()
    assert record.locked and record.signed_by == nurse
    assert session.status == Appointment.Status.COMPLETED
    assert called == [record.pk]


def test_a_failing_hook_leaves_the_record_unsigned(session, frozen, nurse, signed_handlers):
    record = discharged(session, frozen)

    def fails(*, record):
        raise RuntimeError("follow-ups could not be made")

    signed_handlers.append(fails)

    with pytest.raises(RuntimeError):
        session_record_sign(record=record, by=nurse)

    record.refresh_from_db()
    session.refresh_from_db()
    assert not record.locked
    assert session.status == Appointment.Status.CHECKED_IN


def test_signing_before_discharge_saves_no_record_and_calls_no_hook(
    session, nurse, signed_handlers
):
    signed_handlers.append(lambda *, record: pytest.fail("the hook ran"))

    with pytest.raises(ValidationError) as refused:
        session_record_sign(record=new_record(session), by=nurse)

    assert refused.value.code == "not_discharged"
    assert not SessionRecord.objects.exists()


def test_an_amendment_is_added_to_a_signed_record(session, frozen, nurse, signed_handlers):
    record = session_record_sign(record=discharged(session, frozen), by=nurse)

    amendment = session_record_amend(record=record, text="Lot number was LOT-43.", by=nurse)

    assert record.amendments.get() == amendment
    assert amendment.author == nurse
    record.refresh_from_db()
    assert record.lot_number == "LOT-42"


def test_an_unsigned_record_takes_no_amendment(session, frozen, nurse):
    record = discharged(session, frozen)

    with pytest.raises(ValidationError) as refused:
        session_record_amend(record=record, text="Lot number was LOT-43.", by=nurse)

    assert refused.value.code == "not_signed"
    assert not record.amendments.exists()
