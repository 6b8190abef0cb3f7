"""Private links that let a patient without an account open one form.

The raw token goes into the email and nowhere else: the database keeps its
SHA-256. A token has 192 random bits, so a plain hash cannot be reversed or
guessed, and a database leak does not reveal usable links.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models.configuration import Clinic
from clinic.models.patients import Patient

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class LinkPurpose(models.TextChoices):
    INTAKE = "intake", "Intake"
    QUESTIONNAIRE = "questionnaire", "Questionnaire"


class PatientLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def find_usable(self, token, *, purpose):
        """The link a token opens, or None if it is unknown, expired, revoked or for another use."""
        if not token or len(token) > 200:
            return None
        return (
            self.usable()
            .filter(token_hash=hash_token(token), purpose=purpose)
            .select_related("patient")
            .first()
        )


class PatientLink(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    objects = PatientLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "purpose", "revoked_at"]),
            # The worklist's "questionnaires not returned", oldest first.
            models.Index(
                fields=["purpose", "created_at"],
                condition=Q(revoked_at__isnull=True),
                name="patient_link_open_by_age",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "purpose"],
                condition=Q(revoked_at__isnull=True),
                name="one_unrevoked_link_per_patient_and_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} link for patient {self.patient_id}"

    @classmethod
    def issue(cls, *, patient, purpose, created_by=None, valid_days=None):
        """A new link and its raw token, replacing any earlier link for the same purpose.

        Re-sending means issuing again: only the hash is kept, so an old token
        cannot be shown twice, and the old link stops working.
        """
        if valid_days is None:
            valid_days = Clinic.load().intake_link_valid_days
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with transaction.atomic():
            # Two clicks on "send" at once: the second waits, then replaces the first.
            Patient.objects.select_for_update().filter(pk=patient.pk).first()
            now = timezone.now()
            cls.objects.filter(patient=patient, purpose=purpose, revoked_at__isnull=True).update(
                revoked_at=now
            )
            link = cls.objects.create(
                patient=patient,
                purpose=purpose,
                token_hash=hash_token(token),
                created_at=now,
                created_by=created_by,
                expires_at=now + timedelta(days=valid_days),
            )
        return link, token

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def mark_opened(self):
        self.last_opened_at = timezone.now()
        self.save(update_fields=["last_opened_at"])
