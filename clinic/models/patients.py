import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models.configuration import Clinic, Route
from clinic.validators import (
    age_on,
    normalize_phone,
    parse_human_date,
    validate_not_in_future,
    validate_phone,
    validate_plausible_birth_date,
)


def generate_mrn():
    """An 8-digit medical record number that does not reveal how many patients exist."""
    while True:
        mrn = str(secrets.randbelow(90_000_000) + 10_000_000)
        if not Patient.objects.filter(mrn=mrn).exists():
            return mrn


class PatientStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE_IN_PROGRESS = "intake_in_progress", "Intake in progress"
    UNDER_REVIEW = "under_review", "Under review"
    CLEARED = "cleared", "Cleared for treatment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    IN_TREATMENT = "in_treatment", "In treatment"
    MAINTENANCE = "maintenance", "Maintenance"
    DISCHARGED = "discharged", "Discharged"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNDISCLOSED = "undisclosed", "Prefer not to say"


class PatientQuerySet(models.QuerySet):
    def search(self, query):
        """Match a name, an MRN, a date of birth (YYYY-MM-DD or MM/DD/YYYY) or a phone number."""
        query = (query or "").strip()
        if not query:
            return self
        day = parse_human_date(query)
        if day:
            return self.filter(date_of_birth=day)
        compact = re.sub(r"[\s().+\-]", "", query)
        if compact.isdigit():
            return self.filter(Q(mrn=compact) | Q(phone__contains=compact))
        matches = Q()
        for word in query.split():
            matches &= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        return self.filter(matches)

    def likely_duplicates_of(self, *, first_name, last_name, date_of_birth):
        return self.filter(
            legal_first_name__iexact=first_name.strip(),
            legal_last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )


class Patient(models.Model):
    """The one record that intake, scheduling and follow-up share."""

    mrn = models.CharField("MRN", max_length=12, unique=True, default=generate_mrn, editable=False)
    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the patient likes to be called."
    )
    date_of_birth = models.DateField(
        validators=[validate_not_in_future, validate_plausible_birth_date]
    )
    sex_assigned_at_birth = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender_identity = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=20, validators=[validate_phone])
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField("ZIP code", max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(
        max_length=20, blank=True, validators=[validate_phone]
    )
    # The adult who takes the patient home after each session (from the intake): the nurse
    # confirms them before dosing.
    escort_name = models.CharField(max_length=200, blank=True)
    escort_phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    preferred_language = models.CharField(max_length=50, default="English")
    status = models.CharField(
        max_length=30, choices=PatientStatus.choices, default=PatientStatus.REFERRED
    )
    cleared_routes = models.ManyToManyField(
        Route,
        blank=True,
        related_name="+",
        help_text="Routes a provider has cleared this patient for.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[cleared_routes])

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "pk"]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.mrn})"

    def get_absolute_url(self):
        return reverse("clinic:patient_detail", args=[self.pk])

    def clean(self):
        self.phone = normalize_phone(self.phone)
        self.emergency_contact_phone = normalize_phone(self.emergency_contact_phone)
        self.escort_phone = normalize_phone(self.escort_phone)
        if self.date_of_birth:
            minimum_age = Clinic.load().minimum_patient_age
            if age_on(self.date_of_birth, timezone.localdate()) < minimum_age:
                raise ValidationError(
                    {
                        "date_of_birth": ValidationError(
                            "This clinic treats patients aged %(age)s and over.",
                            code="too_young",
                            params={"age": minimum_age},
                        )
                    }
                )

    @staticmethod
    def display_name(preferred_name, legal_first_name, legal_last_name):
        """The name staff use: the preferred first name when there is one."""
        return f"{preferred_name or legal_first_name} {legal_last_name}"

    @property
    def full_name(self):
        return self.display_name(self.preferred_name, self.legal_first_name, self.legal_last_name)

    @property
    def legal_name(self):
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def age(self):
        return age_on(self.date_of_birth, timezone.localdate())
