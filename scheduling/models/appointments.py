import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import Clinic, Patient, Room, Route
from scheduling.constraints import PortableExclusionConstraint, PostgresCheckConstraint, TsTzRange
from scheduling.models.protocols import ProtocolVersion


class DoseUnit(models.TextChoices):
    MG_PER_KG = "mg/kg", "mg/kg"
    MG = "mg", "mg"


class TreatmentPlanQuerySet(models.QuerySet):
    def in_treatment(self):
        """Booked series that have not ended."""
        return self.filter(status=TreatmentPlan.Status.CONFIRMED)

    def booked(self):
        """Series that were booked: in treatment or ended, not drafts or cancelled orders."""
        return self.filter(status__in=TreatmentPlan.BOOKED_STATUSES)

    def owing_sessions(self):
        """Plans with fewer sessions done (`done`) than their protocol asks for.

        Counted per plan through the index on plan, not by a join over every appointment;
        `TreatmentPlan.complete_if_done()` is the same rule for one plan.
        """
        done = (
            Appointment.objects.sessions()
            .filter(plan=OuterRef("pk"), status=Appointment.Status.COMPLETED)
            .order_by()
            .values("plan")
            .annotate(n=Count("*"))  # from the index appointment_plan_done alone
            .values("n")
        )
        return self.annotate(done=Coalesce(Subquery(done), 0)).filter(
            done__lt=F("protocol_version__session_count")
        )


class TreatmentPlan(models.Model):
    """A provider's order for a series: route, protocol version, dose per session."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONFIRMED = "confirmed", "In treatment"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed early"
        CANCELLED = "cancelled", "Cancelled"

    class CloseReason(models.TextChoices):
        STOPPED = "stopped", "The patient stopped treatment"
        NOT_TOLERATED = "not_tolerated", "Not tolerated"
        MAINTENANCE = "maintenance", "Moved to maintenance"
        OTHER = "other", "Other"
        SESSIONS_CANCELLED = "sessions_cancelled", "Remaining sessions cancelled, none rebooked"

    BOOKED_STATUSES = [Status.CONFIRMED, Status.COMPLETED, Status.CLOSED]

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_plans")
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="plans"
    )
    dose = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="As ordered by the provider, per session."
    )
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    first_day = models.DateField(help_text="The earliest day for the first session.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the series was closed automatically.",
    )

    history = HistoricalRecords()

    objects = TreatmentPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("close_treatmentplan", "Can close a series early")]
        indexes = [
            models.Index(
                fields=["status"],
                condition=Q(status__in=["draft", "confirmed"]),
                name="plan_open",
            ),
            # Drafts waiting to be booked, oldest first (the home page shows a few).
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="draft"),
                name="plan_draft_by_age",
            ),
            # Series in treatment, the longest first (the worklist reads a page of them).
            models.Index(
                fields=["first_day", "id"],
                condition=Q(status="confirmed"),
                name="plan_in_treatment_by_start",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dose__gt=0), name="plan_dose_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "confirmed", "completed", "closed", "cancelled"]),
                name="plan_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""),
                name="plan_closed_with_a_reason",
                violation_error_message="Say why the series is closed.",
            ),
        ]

    def __str__(self):
        return f"{self.protocol_version.name} for {self.patient}"

    def get_absolute_url(self):
        return reverse("scheduling:plan_detail", args=[self.pk])

    @property
    def route(self):
        return self.protocol_version.route

    @property
    def dose_display(self):
        return f"{self.dose.normalize():f} {self.dose_unit}"

    @property
    def is_in_treatment(self):
        return self.status == self.Status.CONFIRMED

    def close(self, *, reason, note="", by=None, now=None):
        """End the series early; sessions still booked stay booked (staff cancel them)."""
        if not self.is_in_treatment:
            raise ValidationError("Only a series in treatment can be closed.", code="not_open")
        if reason not in self.CloseReason.values:
            raise ValidationError("Choose why the series is closed.", code="no_reason")
        if reason == self.CloseReason.OTHER and not note.strip():
            raise ValidationError("Write a short note saying why.", code="no_note")
        self.status = self.Status.CLOSED
        self.close_reason = reason
        self.close_note = note.strip()
        self.closed_by = by
        self.ended_at = now or timezone.now()
        self.save(update_fields=["status", "close_reason", "close_note", "closed_by", "ended_at"])

    def complete_if_done(self, *, now=None):
        """Completed once as many sessions are done as the protocol asks for."""
        if not self.is_in_treatment:
            return False
        done = self.appointments.sessions().filter(status=Appointment.Status.COMPLETED).count()
        if done < self.protocol_version.session_count:
            return False
        self.status = self.Status.COMPLETED
        self.ended_at = now or timezone.now()
        self.save(update_fields=["status", "ended_at"])
        return True


ACTIVE_STATUSES = ["booked", "checked_in", "completed"]
# Still to take place (or taking place): what keeps a series or a patient "booked ahead".
UNFINISHED_STATUSES = ["booked", "checked_in"]
# No appointment lasts longer (a check constraint). Bounding the start time by it lets
# calendar queries use the index on starts_at instead of reading every appointment ever made.
MAX_LENGTH = datetime.timedelta(hours=12)
ONE_MINUTE = datetime.timedelta(minutes=1)


def _overlap(starts_at, ends_at):
    # Bounded by the longest appointment above, so the start-time index does the work.
    return Q(starts_at__lt=ends_at, starts_at__gt=starts_at - MAX_LENGTH, ends_at__gt=starts_at)


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, starts_at, ends_at):
        return self.filter(_overlap(starts_at, ends_at))

    def overlapping_any(self, spans):
        """Overlapping any of the (starts_at, ends_at) spans, in one query."""
        return self.filter(reduce(or_, (_overlap(*span) for span in spans)))

    def on_day(self, day, zone):
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)
        return self.overlapping(start, end)

    def upcoming(self):
        now = timezone.now()
        return self.filter(starts_at__gt=now - MAX_LENGTH, ends_at__gt=now)

    def for_clinician(self, clinician):
        return self.filter(clinician=clinician)

    def sessions(self):
        return self.filter(kind=Appointment.Kind.SESSION)


class Appointment(models.Model):
    """One monitored session, or a follow-up visit or call.

    It holds its chair (none for a phone or video check-in) and its clinician
    from start to end.
    """

    class Kind(models.TextChoices):
        SESSION = "session", "Treatment session"
        FOLLOW_UP = "follow_up", "Follow-up"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class CancelReason(models.TextChoices):
        PATIENT = "patient", "Patient cancelled"
        CLINIC = "clinic", "Clinic cancelled"
        NO_SHOW = "no_show", "No-show"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    sequence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Session number within the plan."
    )
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SESSION)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="monitored_appointments",
        help_text="The clinician who monitors the session.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Copied from the route when booked, so later route edits do not move sessions.
    preparation_minutes = models.PositiveSmallIntegerField()
    administration_minutes = models.PositiveSmallIntegerField()
    monitoring_minutes = models.PositiveSmallIntegerField()
    # The chair's turnover after the session, copied from the room when booked (none for a
    # follow-up), and the moment the chair is free again: ends_at plus the turnover, kept
    # by a check constraint. The chair is held, and refused to others, until then.
    turnover_minutes = models.PositiveSmallIntegerField(default=0)
    chair_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    cancel_note = models.CharField(max_length=200, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    needs_rebooking = models.BooleanField(
        default=False,
        help_text="Booked on a day or at a time the clinic has since closed: move or cancel it.",
    )
    seated_at = models.DateTimeField("in the chair at", null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The chair's end follows from ends_at and the turnover, which the history keeps.
    history = HistoricalRecords(excluded_fields=["chair_until"])

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "room"]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"]),
            # A patient's sessions ahead (worklist, series-end scan, patient page).
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_start"),
            # A clinician's appointments by time: the capacity trigger, the week, the iCal feed.
            models.Index(fields=["clinician", "starts_at"], name="appointment_clinician_start"),
            # Sessions done per series (owing_sessions, complete_if_done): a few entries a plan.
            models.Index(
                fields=["plan"],
                condition=Q(kind="session", status="completed"),
                name="appointment_plan_done",
            ),
            # The worklist's sessions to rebook: a handful among years of appointments.
            models.Index(
                fields=["starts_at"],
                condition=Q(needs_rebooking=True),
                name="appointment_to_rebook",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            # The overlap constraints below hold only for the statuses they name: a status
            # or kind outside the choices would slip past them.
            models.CheckConstraint(
                condition=Q(
                    status__in=["booked", "checked_in", "completed", "cancelled", "no_show"]
                ),
                name="appointment_status_known",
                violation_error_message="Choose one of the appointment statuses.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["session", "follow_up"]),
                name="appointment_kind_known",
                violation_error_message="Choose one of the appointment kinds.",
            ),
            PostgresCheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + MAX_LENGTH),
                name="appointment_at_most_twelve_hours",
                violation_error_message="An appointment cannot last more than 12 hours.",
            ),
            PostgresCheckConstraint(
                condition=Q(
                    chair_until=F("ends_at")
                    + ExpressionWrapper(
                        F("turnover_minutes") * ONE_MINUTE, output_field=models.DurationField()
                    )
                ),
                name="appointment_chair_until_after_turnover",
                violation_error_message="The chair is held until the session's turnover ends.",
            ),
            PortableExclusionConstraint(
                name="appointment_no_double_booked_room",
                expressions=[
                    (
                        TsTzRange("starts_at", "chair_until", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
                violation_error_code="room_taken",
                violation_error_message="This chair is already booked at that time.",
            ),
            PortableExclusionConstraint(
                name="appointment_patient_in_one_place",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("patient", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
                violation_error_code="patient_busy",
                violation_error_message="The patient already has a session at that time.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.patient} in {self.room or 'a call'} at "
            f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
        )

    def get_absolute_url(self):
        return reverse("scheduling:appointment_detail", args=[self.pk])

    @classmethod
    def session_of(cls, *, route, starts_at, turnover_minutes=0, **fields):
        """An unsaved treatment session whose parts take the route's current lengths.

        The lengths are copied, so later edits of the route never move a booked session;
        so is the chair's turnover after it (`turnover_minutes`, the room's).
        """
        ends_at = starts_at + datetime.timedelta(minutes=route.session_minutes)
        return cls(
            route=route,
            starts_at=starts_at,
            ends_at=ends_at,
            preparation_minutes=route.preparation_minutes,
            administration_minutes=route.administration_minutes,
            monitoring_minutes=route.monitoring_minutes,
            turnover_minutes=turnover_minutes,
            chair_until=ends_at + turnover_minutes * ONE_MINUTE,
            **fields,
        )

    def place(self, *, starts_at, ends_at, room_id, turnover_minutes):
        """Move to a new time and chair, holding the chair for its turnover after."""
        self.starts_at, self.ends_at, self.room_id = starts_at, ends_at, room_id
        self.turnover_minutes = turnover_minutes
        self.chair_until = ends_at + turnover_minutes * ONE_MINUTE

    @property
    def administration_starts_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.preparation_minutes)

    @property
    def monitoring_starts_at(self):
        return self.administration_starts_at + datetime.timedelta(
            minutes=self.administration_minutes
        )

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    def check_in(self, *, at=None):
        if self.status != self.Status.BOOKED:
            raise ValidationError("Only a booked session can be checked in.", code="not_booked")
        at = at or timezone.now()
        zone = Clinic.load().zone
        day = self.starts_at.astimezone(zone).date()
        if at.astimezone(zone).date() != day:
            raise ValidationError(
                f"This session is on {day:%A %b %-d}; patients are checked in on the day.",
                code="not_today",
            )
        self.status = self.Status.CHECKED_IN
        self.checked_in_at = at
        self.save(update_fields=["status", "checked_in_at"])

    def mark_to_rebook(self):
        """The clinic closed when this is booked (clinic/closing.py): the worklist lists it."""
        if not self.needs_rebooking:
            self.needs_rebooking = True
            self.save(update_fields=["needs_rebooking"])

    def seat(self, *, at=None):
        """The checked-in patient has taken their chair (the flow board's "In chair")."""
        if self.status != self.Status.CHECKED_IN:
            raise ValidationError(
                "Only a checked-in patient can be shown in the chair.", code="not_checked_in"
            )
        if self.seated_at is not None:
            raise ValidationError(
                "The patient is already shown in the chair (since %(when)s).",
                code="already_seated",
                params={"when": f"{timezone.localtime(self.seated_at):%-I:%M %p}"},
            )
        if self.room_id is None:
            raise ValidationError("A phone or video call has no chair.", code="no_chair")
        self.seated_at = at or timezone.now()
        self.save(update_fields=["seated_at"])

    def ensure_movable(self):
        if self.status != self.Status.BOOKED:
            raise ValidationError(
                "Only a booked session that has not started can be moved.", code="not_booked"
            )

    def cancel(self, *, reason, note=""):
        if self.status not in (self.Status.BOOKED, self.Status.CHECKED_IN):
            raise ValidationError("This session can no longer be cancelled.", code="not_active")
        if reason not in self.CancelReason.values:
            raise ValidationError("Choose why the session is cancelled.", code="no_reason")
        if reason == self.CancelReason.NO_SHOW and self.starts_at > timezone.now():
            starts = timezone.localtime(self.starts_at)
            raise ValidationError(
                f"A no-show can be recorded once the start time has passed "
                f"({starts:%a %b} {starts.day}, {starts:%-I:%M %p}). To cancel ahead of time, "
                "choose another reason.",
                code="not_started",
            )
        self.status = (
            self.Status.NO_SHOW if reason == self.CancelReason.NO_SHOW else (self.Status.CANCELLED)
        )
        self.cancel_reason = reason
        self.cancel_note = note
        self.save(update_fields=["status", "cancel_reason", "cancel_note"])

    def mark_no_show(self):
        self.cancel(reason=self.CancelReason.NO_SHOW)

    def complete(self):
        if self.status != self.Status.CHECKED_IN:
            raise ValidationError(
                "Only a checked-in session can be completed.", code="not_checked_in"
            )
        self.status = self.Status.COMPLETED
        self.save(update_fields=["status"])
