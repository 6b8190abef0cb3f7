"""The steps of a session record, each saved in one transaction: all of it, or nothing.

A record is created by the first step that succeeds. Two nurses may start the same
record at the same moment: the database keeps one record per session, so one of them
wins and the other gets RecordStartedTwice instead of an error page.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError, transaction

from clinic.models import User
from scheduling.hooks import session_signed
from scheduling.models import Amendment, Observation, SessionRecord


class RecordStartedTwice(Exception):  # noqa: N818 - a domain outcome, named as staff say it
    """Someone else started this new record first; nothing of this step was saved."""

    def __init__(self):
        super().__init__(
            "Someone else started this session record at the same moment, so your entry was "
            "not saved. The page now shows their entry; please add yours again."
        )


@contextmanager
def _one_step():
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise RecordStartedTwice from error


def session_record_pre_dose(
    *,
    record: SessionRecord,
    escort_confirmed: bool,
    fasting_kept: bool,
    no_health_changes: bool,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    concomitant_benzodiazepines: bool = False,
    concomitant_sedative_hypnotics: bool = False,
    concomitant_psychostimulants: bool = False,
    concomitant_maois: bool = False,
) -> SessionRecord:
    """Save the checklist and pre-dose vitals; a blood pressure above the threshold holds dosing."""
    record.escort_confirmed = escort_confirmed
    record.fasting_kept = fasting_kept
    record.no_health_changes = no_health_changes
    record.concomitant_benzodiazepines = concomitant_benzodiazepines
    record.concomitant_sedative_hypnotics = concomitant_sedative_hypnotics
    record.concomitant_psychostimulants = concomitant_psychostimulants
    record.concomitant_maois = concomitant_maois
    record.systolic = systolic
    record.diastolic = diastolic
    record.heart_rate = heart_rate
    record.spo2 = spo2
    with _one_step():
        record.record_pre_dose()
    return record


def session_record_hold_decide(
    *, record: SessionRecord, decision: str, by: User, note: str = ""
) -> SessionRecord:
    """A provider's decision on dosing held for blood pressure."""
    with _one_step():
        record.decide_hold(decision=decision, by=by, note=note)
    return record


def session_record_start_dose(*, record: SessionRecord) -> SessionRecord:
    """The dose starts now (an infusion, say); amount, lot and end are recorded when it ends."""
    with _one_step():
        record.start_dose()
    return record


def session_record_dose(
    *,
    record: SessionRecord,
    amount: Decimal,
    unit: str,
    lot_number: str,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
) -> SessionRecord:
    with _one_step():
        record.record_dose(
            amount=amount,
            unit=unit,
            lot_number=lot_number,
            started_at=started_at,
            ended_at=ended_at,
        )
    return record


def session_record_observe(
    *,
    record: SessionRecord,
    observation: Observation,
    by: User,
    at: datetime.datetime | None = None,
) -> Observation:
    """Add an unsaved observation (vitals, sedation, events) to the record's monitoring.

    `at` is when the readings were taken (now if not given; earlier for readings written
    on paper first)."""
    with _one_step():
        return record.add_observation(observation, by=by, at=at)


def session_record_discharge(
    *,
    record: SessionRecord,
    at: datetime.datetime,
    criteria_met: bool,
    released_to_escort: bool,
    vitals_acceptable_at_end: bool,
) -> SessionRecord:
    with _one_step():
        record.discharge(
            at=at,
            criteria_met=criteria_met,
            released_to_escort=released_to_escort,
            vitals_acceptable_at_end=vitals_acceptable_at_end,
        )
    return record


def session_record_sign(*, record: SessionRecord, by: User) -> SessionRecord:
    """Sign and lock the record, complete the session (and its series if it was the last one),
    and tell the apps that listen."""
    with _one_step():
        record.sign(by=by)
        plan = record.appointment.plan
        if plan is not None:
            plan.complete_if_done()
        # Inside the transaction: if an app's handler fails, the record stays unsigned.
        session_signed(record=record)
    return record


def session_record_amend(*, record: SessionRecord, text: str, by: User) -> Amendment:
    """A correction to a signed record; the record itself stays as it was signed."""
    with _one_step():
        return record.amend(text=text, by=by)
