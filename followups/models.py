"""Follow-ups after a series, and the reminder emails sent to patients."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import Patient
from scheduling.models import Appointment, TreatmentPlan


class FollowUpKind(models.TextChoices):
    POST_SERIES = "post_series", "Post-series review"
    BOOSTER = "booster", "Booster review"
    PHONE = "phone", "Phone check-in"
    VIDEO = "video", "Video check-in"
    IN_PERSON = "in_person", "In-person visit"


# A call holds a clinician but no chair; a visit holds both.
REMOTE_KINDS = {FollowUpKind.PHONE, FollowUpKind.VIDEO}
VISIT_MINUTES = {
    FollowUpKind.POST_SERIES: 30,
    FollowUpKind.BOOSTER: 30,
    FollowUpKind.PHONE: 15,
    FollowUpKind.VIDEO: 20,
    FollowUpKind.IN_PERSON: 30,
}


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        """Not done and not cancelled."""
        return self.filter(completed_at__isnull=True, cancelled_at__isnull=True)

    def not_booked(self):
        """No appointment, or only a cancelled one (a no-show counts as missed)."""
        return self.filter(
            Q(appointment__isnull=True) | Q(appointment__status=Appointment.Status.CANCELLED)
        )

    def due_between(self, first_day, last_day):
        return self.filter(due_from__lte=last_day, due_by__gte=first_day)

    def overdue(self, today):
        """The window has passed and the follow-up is not done (booked late or not at all)."""
        return (
            self.open()
            .filter(due_by__lt=today)
            .exclude(appointment__status=Appointment.Status.NO_SHOW)
        )

    def missed(self):
        return self.open().filter(appointment__status=Appointment.Status.NO_SHOW)

    def for_provider(self, provider):
        return self.filter(provider=provider) if provider else self


class FollowUp(models.Model):
    """A review or check-in due in a window of days after a series (or added by hand)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="follow_ups")
    plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The series this follows; empty for one added by hand.",
    )
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    due_from = models.DateField()
    due_by = models.DateField()
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The provider responsible; the worklist can be filtered by it.",
    )
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when created automatically at the end of a series.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_from", "pk"]
        permissions = [
            ("send_questionnaire_link", "Can send a patient a questionnaire link"),
            ("view_clinic_report", "Can see the clinic report"),
        ]
        indexes = [
            models.Index(fields=["due_by", "due_from"]),
            # The worklist reads open follow-ups in window order and stops at a page.
            models.Index(
                fields=["due_from", "id"],
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
                name="follow_up_open_by_window",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_by__gte=F("due_from")),
                name="follow_up_window_ends_after_it_starts",
                violation_error_message="The window must end on or after its first day.",
            ),
            # Creating the follow-ups of a series twice (two workers) adds nothing.
            models.UniqueConstraint(
                fields=["plan", "kind", "due_from"],
                condition=Q(plan__isnull=False),
                name="follow_up_once_per_plan_kind_and_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.patient}, due {self.due_from:%m/%d/%Y}"

    @property
    def is_remote(self):
        return self.kind in REMOTE_KINDS

    @property
    def minutes(self):
        return VISIT_MINUTES[self.kind]

    @property
    def is_open(self):
        return self.completed_at is None and self.cancelled_at is None

    @property
    def booked_appointment(self):
        """The active or missed appointment, if any (a cancelled one does not count)."""
        appointment = self.appointment
        if appointment and appointment.status != Appointment.Status.CANCELLED:
            return appointment
        return None

    def complete(self, *, note="", now=None):
        if not self.is_open:
            raise ValidationError("This follow-up is already closed.", code="closed")
        now = now or timezone.now()
        appointment = self.booked_appointment
        booked_for_later = (
            appointment
            and appointment.status == Appointment.Status.BOOKED
            and appointment.starts_at > now
        )
        if booked_for_later:
            raise ValidationError(
                "This follow-up is booked for later: mark it done once it has taken place, "
                "or cancel it.",
                code="not_started",
            )
        self.completed_at = now
        self.note = note or self.note
        self.save(update_fields=["completed_at", "note"])
        if appointment and appointment.is_active:
            appointment.status = Appointment.Status.COMPLETED
            appointment.save(update_fields=["status"])

    def cancel(self, *, note="", reason=Appointment.CancelReason.CLINIC):
        """Close it without doing it; a booked appointment is cancelled with it."""
        if not self.is_open:
            raise ValidationError("This follow-up is already closed.", code="closed")
        with transaction.atomic():
            self.cancelled_at = timezone.now()
            self.note = note or self.note
            self.save(update_fields=["cancelled_at", "note"])
            appointment = self.booked_appointment
            if appointment and appointment.is_active:
                appointment.cancel(reason=reason, note=note)


class ReminderKind(models.TextChoices):
    SESSION_48H = "session_48h", "Session reminder, 48 hours before"
    SESSION_24H = "session_24h", "Session reminder, 24 hours before"
    SESSION_BOOKED = "session_booked", "Booking confirmation (booked less than 24 hours ahead)"
    FOLLOW_UP_DUE = "follow_up_due", "Follow-up due"
    QUESTIONNAIRE_BEFORE_SESSION = "questionnaire_session", "Questionnaire before a session"
    QUESTIONNAIRE_DUE = "questionnaire_due", "Questionnaire due (every few weeks)"
    QUESTIONNAIRE_BY_STAFF = "questionnaire_staff", "Questionnaire link sent by staff"


class ReminderQuerySet(models.QuerySet):
    def unconfirmed(self):
        return self.filter(status=Reminder.Status.CLAIMED)


class Reminder(models.Model):
    """One email to a patient. The row is claimed (committed) before the email is sent.

    The unique constraints make a second claim of the same reminder fail, so a
    worker that runs twice, or restarts after dying mid-batch, never sends it
    again. A row left `claimed` means the worker stopped between claiming and
    confirming: the email may or may not have left, and staff see that.
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed, sending not confirmed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent: reminders turned off"
        COVERED = "covered", "Not sent: a questionnaire link had just gone out"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    due_on = models.DateField(
        null=True, blank=True, help_text="For reminders tied to a day rather than a booking."
    )
    for_starts_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For session reminders: the time they were for (a moved session gets new ones).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "claimed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(appointment__isnull=False, for_starts_at__isnull=True),
                name="reminder_once_per_appointment_and_kind",
            ),
            models.UniqueConstraint(
                fields=["appointment", "kind", "for_starts_at"],
                condition=Q(appointment__isnull=False, for_starts_at__isnull=False),
                name="reminder_once_per_appointment_kind_and_start",
            ),
            models.UniqueConstraint(
                fields=["follow_up", "kind"],
                condition=Q(follow_up__isnull=False),
                name="reminder_once_per_follow_up_and_kind",
            ),
            models.UniqueConstraint(
                fields=["patient", "kind", "due_on"],
                condition=Q(due_on__isnull=False),
                name="reminder_once_per_patient_kind_and_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to patient {self.patient_id}: {self.status}"


class ReminderPreference(models.Model):
    """Whether a patient gets reminder emails; no row means yes."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    email_reminders = models.BooleanField(default=True)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by_patient = models.BooleanField(
        default=False, help_text="Set by the patient's own opt-out link."
    )

    history = HistoricalRecords()

    def __str__(self):
        return f"Reminder preference of patient {self.patient_id}"
