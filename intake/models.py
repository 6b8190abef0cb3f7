from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import OutcomeMeasure, Patient, SafetyFlag
from intake.questions import ANSWER_STEPS, CONSENT, REVIEW, STEP_SLUGS, STEPS_BY_SLUG
from intake.summary import summarize


class IntakeStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Waiting for review"
    MORE_INFO = "more_info", "More information requested"
    CLEARED = "cleared", "Cleared"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class Decision(models.TextChoices):
    CLEARED = "cleared", "Cleared for treatment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    MORE_INFO = "more_info", "More information needed"


class IntakeQuerySet(models.QuerySet):
    def waiting_for_review(self):
        """Submitted intakes, those with an open safety flag first, then the oldest first."""
        open_flag = models.Exists(
            SafetyFlag.objects.open().filter(patient=models.OuterRef("patient"))
        )
        return (
            self.filter(status=IntakeStatus.SUBMITTED)
            .annotate(has_open_flag=open_flag)
            .select_related("patient", "phq9", "gad7")
            .order_by("-has_open_flag", "submitted_at", "pk")
        )

    def review_page(self, number, per_page):
        """One page of the review queue.

        The page's ids are chosen from the intakes alone (their status index), and only
        those rows are then read with their patients and scores: ordering every waiting
        intake joined to the patients made PostgreSQL scan the whole patient table.
        """
        page = Paginator(self.waiting_for_review().values_list("pk", flat=True), per_page).get_page(
            number
        )
        ids = list(page.object_list)
        rows = self.waiting_for_review().filter(pk__in=ids).defer("answers").in_bulk()
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page


class Intake(models.Model):
    """A patient's online intake: answers saved step by step, then a provider's decision."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="intake")
    status = models.CharField(
        max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.IN_PROGRESS
    )
    answers = models.JSONField(
        default=dict, blank=True, encoder=DjangoJSONEncoder, help_text="Answers by step."
    )
    reopened_steps = models.JSONField(default=list, blank=True)
    message_to_patient = models.TextField(blank=True)
    phq9 = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gad7 = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    screening_flags = models.JSONField(
        default=list,
        blank=True,
        help_text="The screening flags found in the answers when they were submitted.",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [
            ("send_intake_link", "Can send and revoke intake links"),
            ("clear_intake", "Can decide whether a patient is cleared for treatment"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"Intake of {self.patient.full_name}"

    def get_absolute_url(self):
        return reverse("intake:review", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in (IntakeStatus.IN_PROGRESS, IntakeStatus.MORE_INFO)

    def has_signed_consent(self):
        return ConsentSignature.objects.filter(intake=self).exists()

    def completed_steps(self, *, signed=None):
        signed = self.has_signed_consent() if signed is None else signed
        done = [slug for slug in ANSWER_STEPS if slug in self.answers]
        return [*done, CONSENT] if signed else done

    def missing_steps(self, *, signed=None):
        done = set(self.completed_steps(signed=signed))
        return [slug for slug in STEP_SLUGS if slug != REVIEW and slug not in done]

    def resume_step(self):
        """Where the patient left off: the first step not yet answered, else the review."""
        if self.status == IntakeStatus.MORE_INFO and self.reopened_steps:
            return self.reopened_steps[0]
        missing = self.missing_steps()
        return missing[0] if missing else REVIEW

    def next_step(self, after):
        """The step that follows once `after` is saved: the next in order, or, when a provider
        reopened some steps, the next of those and then the review."""
        position = STEP_SLUGS.index(after)
        if self.reopened_steps:
            later = [slug for slug in self.reopened_steps if STEP_SLUGS.index(slug) > position]
            return later[0] if later else REVIEW
        return STEP_SLUGS[position + 1]

    def can_edit_step(self, slug):
        if slug not in STEPS_BY_SLUG:
            return False
        if self.status == IntakeStatus.IN_PROGRESS:
            return True
        if self.status == IntakeStatus.MORE_INFO:
            return slug == REVIEW or slug in self.reopened_steps
        return False

    def save_step(self, slug, data):
        if not self.can_edit_step(slug) or slug not in ANSWER_STEPS:
            raise ValidationError(
                "This part of the form can no longer be changed.", code="step_locked"
            )
        self.answers = {**self.answers, slug: data}
        self.save(update_fields=["answers", "updated_at"])

    def submit(self):
        if not self.is_editable:
            raise ValidationError("This form was already sent.", code="already_submitted")
        missing = self.missing_steps()
        if missing:
            titles = ", ".join(STEPS_BY_SLUG[slug].title for slug in missing)
            raise ValidationError(
                "Please finish these parts first: %(titles)s.",
                code="incomplete",
                params={"titles": titles},
            )
        self.status = IntakeStatus.SUBMITTED
        self.submitted_at = timezone.now()
        self.reopened_steps = []
        # Computed once here, so the review queue never reads every waiting intake's answers.
        self.screening_flags = summarize(self.answers).contraindications
        self.save(
            update_fields=[
                "status",
                "submitted_at",
                "reopened_steps",
                "screening_flags",
                "updated_at",
            ]
        )

    def record_decision(self, *, decision, by, reason="", reopen_steps=(), message=""):
        if self.status != IntakeStatus.SUBMITTED:
            raise ValidationError(
                "A decision can only be recorded on an intake waiting for review.",
                code="not_waiting_for_review",
            )
        self.decision = decision
        self.decision_reason = reason
        self.decided_by = by
        self.decided_at = timezone.now()
        if decision == Decision.MORE_INFO:
            self.status = IntakeStatus.MORE_INFO
            self.reopened_steps = list(reopen_steps)
            self.message_to_patient = message
        else:
            self.status = IntakeStatus(decision)
        self.save()


class ConsentDocumentQuerySet(models.QuerySet):
    def current(self):
        return self.order_by("-version").first()


class ConsentDocument(models.Model):
    """The clinic's consent text. A change is a new version; signed versions never change."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text; blank lines start new paragraphs.")
    published_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    objects = ConsentDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title} (version {self.version})"


class ConsentSignature(models.Model):
    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="consent")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.signed_name}, version {self.document.version}"
