"""Reminder emails to patients, sent by the background worker (followups.worker).

At most once: each reminder is a row, unique per (appointment or follow-up or
day, kind) (session reminders also per the start time they were for), created
and committed *before* the email is sent. A second worker, a second run, or a
restart after a crash cannot claim it again. If the worker
dies between claiming and sending, the row stays `claimed`; staff see it on the
patient page rather than the patient getting the email twice.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from clinic.emails import email_body
from clinic.instruments import InstrumentCode
from clinic.models import Clinic, LinkPurpose, OutcomeMeasure, PatientLink, Route
from followups.models import FollowUp, Reminder, ReminderKind, ReminderPreference
from followups.preferences import opt_out_url
from followups.questionnaires import questionnaire_email
from scheduling.models import Appointment, TreatmentPlan

logger = logging.getLogger(__name__)
FOLLOW_UP_NOTICE_DAYS = 2
RECENT_QUESTIONNAIRE_DAYS = 3
IN_TREATMENT_DAYS = 90
HOUR = datetime.timedelta(hours=1)


def _claim(
    *,
    patient,
    kind,
    appointment=None,
    follow_up=None,
    due_on=None,
    for_starts_at=None,
    covered=False,
):
    """The new reminder row, committed; None if this reminder was claimed before.

    `covered`: the email this reminder would send has just gone out for another reason.
    """
    opted_out = ReminderPreference.objects.filter(patient=patient, email_reminders=False).exists()
    if opted_out or not patient.email:
        status = Reminder.Status.SKIPPED
    elif covered:
        status = Reminder.Status.COVERED
    else:
        status = Reminder.Status.CLAIMED
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                patient=patient,
                kind=kind,
                appointment=appointment,
                follow_up=follow_up,
                due_on=due_on,
                for_starts_at=for_starts_at,
                status=status,
                error="" if patient.email else "No email address.",
            )
    except IntegrityError:
        return None


def _deliver(reminder, compose):
    """Send a claimed reminder and confirm it; a failure is recorded, never retried."""
    if reminder.status != Reminder.Status.CLAIMED:
        return False
    try:
        subject, body = compose()
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.patient.email])
    except Exception as error:
        logger.warning("Reminder %s could not be sent: %s", reminder.pk, type(error).__name__)
        reminder.status = Reminder.Status.FAILED
        reminder.error = type(error).__name__
        reminder.save(update_fields=["status", "error"])
        return False
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["status", "sent_at"])
    return True


def _preparation_rules(route_id):
    if route_id == Route.Code.INTRANASAL:
        return "Please have no food for 2 hours and nothing to drink for 30 minutes before."
    return "Please have no food for 2 hours before."


def _session_email(appointment, confirmation=False):
    clinic = Clinic.load()
    local = timezone.localtime(appointment.starts_at, clinic.zone)
    # Subjects name neither a condition, a treatment, nor the clinic (whose name may say both).
    when = f"{local:%a %b} {local.day} at {local:%-I:%M %p}"
    subject = (
        f"Your appointment is booked: {when}"
        if confirmation
        else f"Reminder: your appointment on {when}"
    )
    body = email_body(
        "followups/email/session_reminder.txt",
        {
            "patient": appointment.patient,
            "starts_at": local,
            "confirmation": confirmation,
            "preparation": _preparation_rules(appointment.route_id),
            "opt_out_url": opt_out_url(appointment.patient),
        },
    )
    return subject, body


def _follow_up_email(follow_up):
    body = email_body(
        "followups/email/follow_up_due.txt",
        {
            "patient": follow_up.patient,
            "follow_up": follow_up,
            "opt_out_url": opt_out_url(follow_up.patient),
        },
    )
    return "Time to book your follow-up appointment", body


def _questionnaire_link_recent(patient, now):
    """A usable questionnaire link went out in the last few days (this scan included).

    Issuing another would revoke it, so the email already sent would carry a dead link.
    """
    return (
        PatientLink.objects.usable(now)
        .filter(
            patient=patient,
            purpose=LinkPurpose.QUESTIONNAIRE,
            created_at__gte=now - datetime.timedelta(days=RECENT_QUESTIONNAIRE_DAYS),
        )
        .exists()
    )


def _questionnaire_compose(patient):
    def compose():
        link, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)
        return questionnaire_email(patient=patient, token=token, expires_at=link.expires_at)

    return compose


def _send(counts, reminder, compose):
    if reminder is not None and _deliver(reminder, compose):
        label = str(ReminderKind(reminder.kind).label)
        counts[label] = counts.get(label, 0) + 1


def session_reminders_send(*, now, counts):
    """48 h and 24 h before each session's time; a moved session gets them for its new time.

    A reminder whose moment had already passed when the session was booked is not sent: a
    session booked 30 hours ahead gets no "48 hours before" email, and one booked less than
    24 hours ahead gets a booking confirmation instead of a "24 hours before" reminder
    minutes later.
    """
    sent_for_this_time = Reminder.objects.filter(
        appointment=OuterRef("pk"), for_starts_at=OuterRef("starts_at")
    )
    booked = Appointment.objects.sessions().filter(status=Appointment.Status.BOOKED)
    passes = (
        (ReminderKind.SESSION_24H, 24, Q(created_at__lte=F("starts_at") - 24 * HOUR)),
        (ReminderKind.SESSION_48H, 48, Q(created_at__lte=F("starts_at") - 48 * HOUR)),
        (ReminderKind.SESSION_BOOKED, 24, Q(created_at__gt=F("starts_at") - 24 * HOUR)),
    )
    for kind, hours, booked_in_time in passes:
        due = (
            booked.filter(booked_in_time)
            .filter(starts_at__gt=now + (hours - 24) * HOUR, starts_at__lte=now + hours * HOUR)
            .exclude(Exists(sent_for_this_time.filter(kind=kind)))
            .select_related("patient")
        )
        for appointment in due:
            reminder = _claim(
                patient=appointment.patient,
                kind=kind,
                appointment=appointment,
                for_starts_at=appointment.starts_at,
            )
            confirmation = kind == ReminderKind.SESSION_BOOKED
            _send(counts, reminder, lambda a=appointment, c=confirmation: _session_email(a, c))


def questionnaire_before_session_send(*, now, counts):
    kind = ReminderKind.QUESTIONNAIRE_BEFORE_SESSION
    recent = OutcomeMeasure.objects.filter(
        patient=OuterRef("patient"),
        taken_at__gte=now - datetime.timedelta(days=RECENT_QUESTIONNAIRE_DAYS),
    )
    due = (
        Appointment.objects.sessions()
        .filter(
            status=Appointment.Status.BOOKED,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=48),
            plan__protocol_version__questionnaire_before_session=True,
        )
        .exclude(reminders__kind=kind)
        .exclude(Exists(recent))
        .select_related("patient")
    )
    for appointment in due:
        reminder = _claim(
            patient=appointment.patient,
            kind=kind,
            appointment=appointment,
            covered=_questionnaire_link_recent(appointment.patient, now),
        )
        _send(counts, reminder, _questionnaire_compose(appointment.patient))


def questionnaire_due_send(*, now, counts):
    """Every N days (the protocol's cadence) while in treatment, counted from the last PHQ-9."""
    kind = ReminderKind.QUESTIONNAIRE_DUE
    zone = Clinic.load().zone
    today = timezone.localdate(now, zone)
    plans = (
        TreatmentPlan.objects.booked()
        .filter(
            protocol_version__questionnaire_every_days__gt=0,
            appointments__starts_at__gte=now - datetime.timedelta(days=IN_TREATMENT_DAYS),
        )
        .annotate(
            last_phq9=Max(
                "patient__measures__taken_at",
                filter=Q(patient__measures__instrument=InstrumentCode.PHQ9),
            )
        )
        .select_related("patient", "protocol_version")
        .distinct()
        .order_by("patient_id", "-created_at")
    )
    seen = set()
    for plan in plans:
        if plan.patient_id in seen:
            continue
        seen.add(plan.patient_id)
        every = datetime.timedelta(days=plan.protocol_version.questionnaire_every_days)
        if plan.last_phq9 is None:
            due_on = plan.first_day
        else:
            due_on = timezone.localdate(plan.last_phq9 + every, zone)
        if due_on > today:
            continue
        reminder = _claim(
            patient=plan.patient,
            kind=kind,
            due_on=due_on,
            covered=_questionnaire_link_recent(plan.patient, now),
        )
        _send(counts, reminder, _questionnaire_compose(plan.patient))


def follow_up_reminders_send(*, now, counts):
    kind = ReminderKind.FOLLOW_UP_DUE
    today = timezone.localdate(now, Clinic.load().zone)
    due = (
        FollowUp.objects.open()
        .not_booked()
        .filter(
            due_from__lte=today + datetime.timedelta(days=FOLLOW_UP_NOTICE_DAYS),
            due_by__gte=today,
        )
        .exclude(reminders__kind=kind)
        .select_related("patient")
    )
    for follow_up in due:
        reminder = _claim(patient=follow_up.patient, kind=kind, follow_up=follow_up)
        _send(counts, reminder, lambda f=follow_up: _follow_up_email(f))


def reminders_send_due(*, now=None) -> dict:
    """Claim and send every reminder due now; returns how many of each kind went out."""
    now = now or timezone.now()
    counts = {}
    with Clinic.for_request():  # each email asks for the settings; one read for the scan
        session_reminders_send(now=now, counts=counts)
        questionnaire_before_session_send(now=now, counts=counts)
        questionnaire_due_send(now=now, counts=counts)
        follow_up_reminders_send(now=now, counts=counts)
    return counts
