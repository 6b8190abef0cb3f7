"""Reminder emails: what they say, and that the real worker sends each one once."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from followups import reminders
from followups.models import Reminder, ReminderKind
from followups.preferences import reminders_set
from followups.reminders import reminders_send_due
from tests.followups.factories import HOUR, session_in
from tests.scheduling.factories import chair_for, clinician_with_hours, open_clinic


@pytest.fixture(autouse=True)
def eight_in_the_morning():
    """9:00 in the clinic: sessions a few hours ahead fit in the day, whenever the suite runs."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 16, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def always_open(db):
    open_clinic(opens=datetime.time(0), closes=datetime.time(23, 59), weekdays=range(7))


def run_worker():
    call_command("reminders_worker", "--once", verbosity=0)


@pytest.mark.django_db
def test_a_session_reminder_names_no_health_details_in_its_subject(always_open):
    session_in(30, route_code="intranasal")

    reminders_send_due()

    message = mail.outbox[0]
    assert message.subject.startswith("Reminder: your appointment on ")
    for word in ("ketamine", "clinic", "depression", "infusion", "treatment", "spravato"):
        assert word not in message.subject.lower()
    assert "no food for 2 hours and nothing to drink for 30 minutes" in message.body
    assert "Bring the adult who will drive you home" in message.body
    assert "/follow-ups/reminders/stop/" in message.body


@pytest.mark.django_db
def test_the_email_body_tells_the_time_in_the_clinics_zone(always_open, settings):
    from clinic.models import Clinic

    settings.TIME_ZONE = "UTC"  # the server's zone, as on most servers
    clinic = Clinic.load()
    clinic.time_zone = "America/New_York"
    clinic.save()
    appointment = session_in(30)  # 2026-03-11 22:00 UTC: 6:00 PM in New York

    reminders_send_due()

    message = mail.outbox[0]
    assert appointment.starts_at == datetime.datetime(2026, 3, 11, 22, 0, tzinfo=datetime.UTC)
    assert message.subject == "Reminder: your appointment on Wed Mar 11 at 6:00 PM"
    assert "Wednesday, March 11 at 6:00 PM" in message.body


@pytest.mark.django_db
def test_a_session_gets_the_48_hour_then_the_24_hour_reminder(always_open):
    appointment = session_in(40)

    reminders_send_due()
    reminders_send_due(now=timezone.now() + 20 * HOUR)

    kinds = set(appointment.reminders.values_list("kind", flat=True))
    assert kinds >= {ReminderKind.SESSION_48H, ReminderKind.SESSION_24H}


@pytest.mark.django_db
def test_a_session_booked_less_than_24_hours_ahead_gets_a_confirmation_not_a_reminder(
    always_open,
):
    appointment = session_in(3, booked_days_ago=0)

    reminders_send_due()
    reminders_send_due(now=timezone.now() + HOUR)

    [message] = mail.outbox
    assert message.subject.startswith("Your appointment is booked: ")
    assert "is booked:" in message.body
    assert list(appointment.reminders.values_list("kind", flat=True)) == [
        ReminderKind.SESSION_BOOKED
    ]


@pytest.mark.django_db
def test_a_session_booked_30_hours_ahead_gets_no_48_hour_reminder_then_the_24_hour_one(
    always_open,
):
    appointment = session_in(30, booked_days_ago=0)

    reminders_send_due()
    assert mail.outbox == []
    reminders_send_due(now=timezone.now() + 7 * HOUR)

    [message] = mail.outbox
    assert message.subject.startswith("Reminder: your appointment on ")
    assert list(appointment.reminders.values_list("kind", flat=True)) == [ReminderKind.SESSION_24H]


@pytest.mark.django_db
def test_a_patient_who_opted_out_gets_no_reminder(always_open):
    appointment = session_in(30)
    reminders_set(patient=appointment.patient, enabled=False)

    reminders_send_due()

    assert mail.outbox == []
    assert appointment.reminders.get().status == Reminder.Status.SKIPPED


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_reminder_once_when_it_runs_twice():
    open_clinic(opens=datetime.time(0), closes=datetime.time(23, 59), weekdays=range(7))
    session_in(30)

    run_worker()
    run_worker()

    session_mails = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert len(session_mails) == 1
    assert Reminder.objects.get(kind=ReminderKind.SESSION_48H).status == Reminder.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_mid_batch_never_sends_a_reminder_twice():
    open_clinic(opens=datetime.time(0), closes=datetime.time(23, 59), weekdays=range(7))
    room, clinician = (
        chair_for("iv"),
        clinician_with_hours(starts=datetime.time(0), ends=datetime.time(23, 59)),
    )
    for hours in (4, 6, 8):
        session_in(hours, room=room, clinician=clinician)
    real_send = reminders.send_mail
    calls = []

    def dies_on_the_second(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise KeyboardInterrupt  # the worker is killed while this email is being sent
        return real_send(*args, **kwargs)

    with (
        mock.patch.object(reminders, "send_mail", dies_on_the_second),
        pytest.raises(KeyboardInterrupt),
    ):
        run_worker()
    after_crash = len(mail.outbox)
    run_worker()  # restarted

    recipients = [m.to[0] for m in mail.outbox]
    assert after_crash == 1
    assert len(recipients) == len(set(recipients)) == 2
    assert calls[1] not in recipients
    unconfirmed = Reminder.objects.unconfirmed().get()
    assert unconfirmed.patient.email == calls[1][0]


def series_session_in(hours):
    """A session `hours` from now that belongs to a booked IV series."""
    from scheduling.models import TreatmentPlan
    from tests.scheduling.factories import TreatmentPlanFactory

    appointment = session_in(hours)
    plan = TreatmentPlanFactory(patient=appointment.patient, status=TreatmentPlan.Status.CONFIRMED)
    appointment.plan = plan
    appointment.save()
    return appointment


@pytest.mark.django_db
def test_a_questionnaire_link_goes_out_before_a_session_of_the_series(always_open):
    appointment = series_session_in(30)

    reminders_send_due()

    reminder = appointment.reminders.get(kind=ReminderKind.QUESTIONNAIRE_BEFORE_SESSION)
    assert reminder.status == Reminder.Status.SENT
    assert any("/follow-ups/q/" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_a_questionnaire_is_due_again_when_the_last_phq9_is_14_days_old(always_open):
    from clinic.measures import measure_record
    from clinic.models import MeasureSource

    appointment = series_session_in(24 * 5)
    patient = appointment.patient
    measure_record(
        patient=patient,
        instrument_code="phq9",
        answers=[1] * 9,
        source=MeasureSource.STAFF,
        taken_at=timezone.now() - datetime.timedelta(days=13),
    )
    reminders_send_due()
    not_yet = Reminder.objects.filter(kind=ReminderKind.QUESTIONNAIRE_DUE).count()

    reminders_send_due(now=timezone.now() + datetime.timedelta(days=1))
    reminders_send_due(now=timezone.now() + datetime.timedelta(days=2))

    assert not_yet == 0
    assert Reminder.objects.filter(kind=ReminderKind.QUESTIONNAIRE_DUE).count() == 1


@pytest.mark.django_db
def test_a_follow_up_due_soon_and_not_booked_gets_one_reminder(patient):
    from tests.followups.factories import follow_up

    due = follow_up(patient=patient, due_from=timezone.localdate() + datetime.timedelta(days=2))

    reminders_send_due()
    reminders_send_due()

    assert due.reminders.get().kind == ReminderKind.FOLLOW_UP_DUE
    assert [m.subject for m in mail.outbox] == ["Time to book your follow-up appointment"]


def moved(appointment, by):
    from scheduling.booking import appointment_reschedule

    appointment_reschedule(
        appointment=appointment,
        starts_at=appointment.starts_at + by,
        room_id=appointment.room_id,
        clinician_id=appointment.clinician_id,
    )
    appointment.refresh_from_db()
    return appointment


@pytest.mark.django_db
def test_a_session_moved_after_its_24_hour_reminder_gets_one_for_its_new_time(always_open):
    appointment = session_in(20)
    reminders_send_due()

    appointment = moved(appointment, 2 * HOUR)
    reminders_send_due()

    reminders_24h = appointment.reminders.filter(kind=ReminderKind.SESSION_24H)
    assert sorted(reminders_24h.values_list("for_starts_at", flat=True)) == [
        appointment.starts_at - 2 * HOUR,
        appointment.starts_at,
    ]
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject != mail.outbox[1].subject
    assert mail.outbox[1].subject == reminders._session_email(appointment)[0]


@pytest.mark.django_db
def test_a_session_moved_days_later_gets_both_reminders_again(always_open):
    appointment = session_in(20)
    reminders_send_due()

    appointment = moved(appointment, 72 * HOUR)
    reminders_send_due(now=timezone.now() + 50 * HOUR)
    reminders_send_due(now=timezone.now() + 70 * HOUR)

    new_time = appointment.reminders.filter(for_starts_at=appointment.starts_at)
    assert set(new_time.values_list("kind", flat=True)) == {
        ReminderKind.SESSION_48H,
        ReminderKind.SESSION_24H,
    }
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_session_not_moved_gets_its_24_hour_reminder_once(always_open):
    appointment = session_in(20)

    reminders_send_due()
    reminders_send_due(now=timezone.now() + HOUR)

    assert appointment.reminders.filter(kind=ReminderKind.SESSION_24H).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_reminder_once_for_the_old_and_the_new_time():
    open_clinic(opens=datetime.time(0), closes=datetime.time(23, 59), weekdays=range(7))
    appointment = session_in(20)

    run_worker()
    moved(appointment, 2 * HOUR)
    run_worker()
    run_worker()

    session_mails = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert len(session_mails) == 2
    assert Reminder.objects.filter(kind=ReminderKind.SESSION_24H, status="sent").count() == 2


def questionnaire_tokens():
    return re.findall(r"/follow-ups/q/([^/\s]+)/", "".join(m.body for m in mail.outbox))


@pytest.mark.django_db
def test_one_questionnaire_email_per_scan_when_two_reasons_are_due(always_open):
    from clinic.models import LinkPurpose, PatientLink

    appointment = series_session_in(30)
    appointment.plan.first_day = timezone.localdate() - datetime.timedelta(days=1)
    appointment.plan.save()

    reminders_send_due()
    reminders_send_due()

    tokens = questionnaire_tokens()
    assert len(tokens) == 1
    assert PatientLink.objects.find_usable(tokens[0], purpose=LinkPurpose.QUESTIONNAIRE)
    kinds = dict(
        Reminder.objects.filter(patient=appointment.patient)
        .exclude(kind__startswith="session")
        .values_list("kind", "status")
    )
    assert kinds == {
        ReminderKind.QUESTIONNAIRE_BEFORE_SESSION: Reminder.Status.SENT,
        ReminderKind.QUESTIONNAIRE_DUE: Reminder.Status.COVERED,
    }


@pytest.mark.django_db
def test_a_questionnaire_reminder_does_not_revoke_a_link_staff_just_sent(always_open):
    from clinic.models import LinkPurpose, PatientLink

    appointment = series_session_in(30)
    _, token = PatientLink.issue(patient=appointment.patient, purpose=LinkPurpose.QUESTIONNAIRE)

    reminders_send_due()

    assert questionnaire_tokens() == []
    assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.QUESTIONNAIRE)
    reminder = appointment.reminders.get(kind=ReminderKind.QUESTIONNAIRE_BEFORE_SESSION)
    assert reminder.status == Reminder.Status.COVERED
