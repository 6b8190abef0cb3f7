"""A series ends: completed when its sessions are done, or closed early, on a frozen clock."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from scheduling.models import Appointment, TreatmentPlan
from scheduling.plans import plans_end_finished
from tests.scheduling.factories import at, book, ended_series

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 11)
DAY = datetime.timedelta(days=1)
NOW = datetime.datetime(2026, 3, 11, 20, 0, tzinfo=datetime.UTC)  # noon in the clinic


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(NOW, tick=False):
        yield


def cancel_the_rest(plan):
    plan.appointments.filter(status=Appointment.Status.BOOKED).update(
        status=Appointment.Status.CANCELLED
    )


def test_a_series_with_every_session_done_is_completed(clinic_open):
    plan = ended_series(last_day=TODAY - DAY, completed=6)

    assert plans_end_finished(now=NOW) == {"completed": 1, "closed": 0}

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.COMPLETED
    assert plan.ended_at == NOW


def test_cancelled_sessions_not_rebooked_within_the_window_close_the_series(clinic_open):
    plan = ended_series(last_day=TODAY - 15 * DAY, completed=5)
    cancel_the_rest(plan)

    assert plans_end_finished(now=NOW) == {"completed": 0, "closed": 1}

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CLOSED
    assert plan.close_reason == TreatmentPlan.CloseReason.SESSIONS_CANCELLED
    assert plan.closed_by is None


def test_within_the_window_a_series_with_cancelled_sessions_stays_open(clinic_open):
    plan = ended_series(last_day=TODAY - 13 * DAY, completed=5)
    cancel_the_rest(plan)

    assert plans_end_finished(now=NOW) == {"completed": 0, "closed": 0}

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED


def test_a_session_rebooked_for_the_patient_keeps_the_series_open(clinic_open):
    plan = ended_series(last_day=TODAY - 20 * DAY, completed=5)
    cancel_the_rest(plan)
    last = plan.appointments.get(sequence=6)
    book(
        patient=plan.patient, room=last.room, clinician=last.clinician, starts_at=at(TODAY + DAY, 9)
    )

    assert plans_end_finished(now=NOW) == {"completed": 0, "closed": 0}


def test_a_series_with_sessions_still_booked_is_not_read(clinic_open, django_assert_num_queries):
    ended_series(last_day=TODAY + 5 * DAY, completed=2)

    with django_assert_num_queries(1):
        assert plans_end_finished(now=NOW) == {"completed": 0, "closed": 0}


def test_signing_the_last_record_completes_the_series(clinic_open, nurse):
    from scheduling.models import SessionRecord
    from scheduling.records import session_record_sign
    from tests.controlled.factories import draw_dose

    plan = ended_series(last_day=TODAY, completed=5)
    last = plan.appointments.get(sequence=6)
    last.status = Appointment.Status.CHECKED_IN
    last.save()
    record = SessionRecord.objects.create(
        appointment=last,
        escort_confirmed=True,
        fasting_kept=True,
        no_health_changes=True,
        systolic=120,
        diastolic=80,
        heart_rate=70,
        spo2=98,
        vitals_at=at(TODAY, 9, 5),
        dose_amount=35,
        dose_unit="mg",
        lot_number="LOT-1",
        dose_started_at=at(TODAY, 9, 15),
        dose_ended_at=at(TODAY, 9, 55),
        discharged_at=at(TODAY, 11),
        discharge_criteria_met=True,
        released_to_escort=True,
        vitals_acceptable_at_end=True,
    )

    draw_dose(record, nurse)
    session_record_sign(record=record, by=nurse)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.COMPLETED


def test_staff_close_a_series_early_with_a_reason(client_for, front_desk, clinic_open):
    plan = ended_series(last_day=TODAY + 2 * DAY, completed=3)

    response = client_for(front_desk).post(
        reverse("scheduling:plan_close", args=[plan.pk]),
        {"reason": "not_tolerated", "note": "Nausea each time"},
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CLOSED
    assert (plan.close_reason, plan.close_note) == ("not_tolerated", "Nausea each time")
    assert plan.closed_by == front_desk


def test_closing_for_another_reason_needs_a_note_and_keeps_the_choice(
    client_for, front_desk, clinic_open
):
    plan = ended_series(last_day=TODAY + 2 * DAY, completed=3)

    response = client_for(front_desk).post(
        reverse("scheduling:plan_close", args=[plan.pk]), {"reason": "other", "note": " "}
    )

    assert response.status_code == 200
    assert "Write a short note saying why." in response.content.decode()
    assert response.context["close_form"]["reason"].value() == "other"
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED


def test_a_finished_series_cannot_be_closed(clinic_open):
    plan = ended_series(last_day=TODAY - DAY, completed=6)
    plans_end_finished(now=NOW)
    plan.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        plan.close(reason=TreatmentPlan.CloseReason.STOPPED)

    assert refused.value.code == "not_open"


def test_the_database_refuses_a_closed_series_without_a_reason(clinic_open):
    from django.db import IntegrityError, transaction

    plan = ended_series(last_day=TODAY - DAY, completed=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=plan.pk).update(status="closed", close_reason="")
