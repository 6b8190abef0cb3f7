import contextlib
import contextvars
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone name such as America/Los_Angeles.",
            code="invalid_time_zone",
            params={"value": value},
        )


def default_time_zone():
    return settings.TIME_ZONE


_request_clinic = contextvars.ContextVar("request_clinic", default=None)


class Clinic(models.Model):
    """The clinic's own settings. There is exactly one row (pk=1)."""

    name = models.CharField(max_length=200, default="Ketamine Clinic")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Times are shown and series are planned in this zone, e.g. America/Los_Angeles.",
    )
    minimum_patient_age = models.PositiveSmallIntegerField(
        default=18,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
        help_text="Patients younger than this cannot be registered. 18 means adults only.",
    )
    self_referral_enabled = models.BooleanField(
        default=False,
        help_text="Let people refer themselves through a public page that starts intake.",
    )
    intake_link_valid_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How long a private intake or questionnaire link works after it is sent.",
    )
    patients_per_clinician = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How many patients one clinician may monitor at the same time.",
    )
    dosing_hold_systolic = models.PositiveSmallIntegerField(
        default=140,
        validators=[MinValueValidator(90), MaxValueValidator(250)],
        help_text="Dosing waits for a provider's decision when pre-dose systolic BP is above this.",
    )
    dosing_hold_diastolic = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(50), MaxValueValidator(150)],
        help_text="Dosing waits for a provider's decision when pre-dose diastolic BP is above "
        "this.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="clinic_is_a_single_row"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        if _request_clinic.get() is not None:
            _request_clinic.set(self)  # the rest of this request sees the change

    @classmethod
    def load(cls):
        """The settings: read once a request (`for_request`), else from the database.

        Forms, the planner and the record checks each ask for them; without this a booking
        read the same row a dozen times.
        """
        clinic = _request_clinic.get()
        if clinic is None:
            clinic, _ = cls.objects.get_or_create(pk=1)
        return clinic

    @classmethod
    @contextlib.contextmanager
    def for_request(cls):
        """Read the settings once for everything a request (ClinicTimezoneMiddleware) or a
        reminder scan does."""
        clinic, _ = cls.objects.get_or_create(pk=1)
        token = _request_clinic.set(clinic)
        try:
            yield clinic
        finally:
            _request_clinic.reset(token)

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def zone_name(self):
        """The time zone as people say it ("Pacific Time"); else its id and abbreviation."""
        if self.time_zone in ZONE_NAMES:
            return ZONE_NAMES[self.time_zone]
        abbreviation = timezone.now().astimezone(self.zone).tzname()
        return f"{self.time_zone.replace('_', ' ')} ({abbreviation})"


# The zones of US clinics, named as patients and staff say them.
ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Indiana/Indianapolis": "Eastern Time",
    "America/Kentucky/Louisville": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Boise": "Mountain Time",
    "America/Phoenix": "Arizona Time (Mountain Time, no daylight saving)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    "America/Puerto_Rico": "Atlantic Time",
}


ESKETAMINE_MINIMUM_MONITORING = 120


class Route(models.Model):
    """A way of giving ketamine, with the default length of each part of a session."""

    class Code(models.TextChoices):
        IV = "iv", "IV infusion"
        IM = "im", "IM injection"
        SC = "sc", "SC injection"
        ORAL = "oral", "Oral / sublingual"
        INTRANASAL = "intranasal", "Intranasal esketamine"

    code = models.CharField(max_length=20, choices=Code.choices, primary_key=True)
    name = models.CharField(max_length=100)
    preparation_minutes = models.PositiveSmallIntegerField(
        help_text="Check-in, vitals and the pre-dose checklist."
    )
    administration_minutes = models.PositiveSmallIntegerField()
    monitoring_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(15)],
        help_text="Minimum monitoring after administration before discharge "
        "(at least 120 minutes for esketamine).",
    )
    # How often a set of vitals is due (docs/CLINICAL.md, "Vitals on time").
    vitals_every_during = models.PositiveSmallIntegerField(
        "vitals every (minutes) during dosing",
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text="A set of observations is due this long after the dose starts, and after "
        "each set while the dose is given.",
    )
    vitals_every_after = models.PositiveSmallIntegerField(
        "vitals every (minutes) after dosing",
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="After the dose ends, a set is due this long after the last one, until "
        "discharge.",
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.code == self.Code.INTRANASAL
            and self.monitoring_minutes is not None
            and self.monitoring_minutes < ESKETAMINE_MINIMUM_MONITORING
        ):
            raise ValidationError(
                {
                    "monitoring_minutes": ValidationError(
                        "Esketamine needs at least %(minimum)s minutes of monitoring after "
                        "the dose (Spravato label and REMS).",
                        code="esketamine_monitoring_too_short",
                        params={"minimum": ESKETAMINE_MINIMUM_MONITORING},
                    )
                }
            )

    @property
    def session_minutes(self):
        return self.preparation_minutes + self.administration_minutes + self.monitoring_minutes


MAX_TURNOVER_MINUTES = 60


class Room(models.Model):
    """A room or treatment chair; a session holds one for its whole length."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    routes = models.ManyToManyField(
        Route,
        blank=True,
        related_name="rooms",
        help_text="The routes this room is equipped for, e.g. IV needs an infusion pump.",
    )
    notes = models.TextField(blank=True)
    turnover_minutes = models.PositiveSmallIntegerField(
        "turnover (minutes)",
        default=10,
        validators=[MaxValueValidator(MAX_TURNOVER_MINUTES)],
        help_text="After each session the chair is cleaned and made ready: it cannot be "
        "booked for this long. Sessions already booked keep the turnover they were booked with.",
    )

    history = HistoricalRecords(m2m_fields=[routes])

    class Meta:
        ordering = ["name"]
        verbose_name = "room or chair"
        verbose_name_plural = "rooms and chairs"

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """When the clinic is open on one weekday; a weekday without a row is closed."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="opening_hours_close_after_opening",
                violation_error_message="The closing time must be after the opening time.",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ClosureQuerySet(models.QuerySet):
    def overlapping(self, first_day, last_day):
        return self.filter(starts_on__lte=last_day, ends_on__gte=first_day)


class Closure(models.Model):
    """Whole days the clinic is closed: holidays, training days."""

    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last closed day; the same as the first for one day.")
    reason = models.CharField(max_length=200)

    history = HistoricalRecords()

    objects = ClosureQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="closure_ends_on_or_after_start",
                violation_error_message="The last closed day cannot be before the first.",
            ),
        ]

    def __str__(self):
        if self.starts_on == self.ends_on:
            return f"{self.starts_on:%b %d, %Y}: {self.reason}"
        return f"{self.starts_on:%b %d}–{self.ends_on:%b %d, %Y}: {self.reason}"
