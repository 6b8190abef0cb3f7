"""The staff worklist: who is due, overdue or missing something.

Each section is one lazy queryset; counts are SQL `COUNT`s, and pages read only
the rows they show, however many years of history the clinic has.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinic.counts import counted
from clinic.models import LinkPurpose, PatientLink
from clinic.pagination import CountedRows
from followups.models import FollowUp
from scheduling.models import ACTIVE_STATUSES, Appointment, SessionRecord, TreatmentPlan

WEEK = datetime.timedelta(days=6)
PREVIEW_ROWS = 5
ROWS_PER_PAGE = 25


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    empty: str
    help: str = ""


SECTIONS = (
    Section(
        "overdue",
        "Overdue follow-ups",
        "Nothing overdue.",
        "The window has passed and the follow-up is not done.",
    ),
    Section("due", "Follow-ups due this week, not booked", "None due this week."),
    Section("missed", "Missed follow-ups", "None missed."),
    Section(
        "no_next_appointment",
        "In treatment, no next appointment",
        "Every patient in a series has a next appointment.",
        "The series still owes sessions and nothing is booked.",
    ),
    Section(
        "questionnaires",
        "Questionnaires sent, not returned",
        "Every questionnaire sent has been answered.",
    ),
    Section("rems", "Esketamine REMS forms due", "No forms due."),
    Section(
        "to_rebook",
        "Sessions to rebook",
        "No session is booked while the clinic is closed.",
        "Booked on a day or at a time the clinic has since closed: move or cancel each.",
    ),
)
SECTION_KEYS = {section.key: section for section in SECTIONS}


class Worklist:
    """The sections for `today` (the clinic's day), optionally one provider's patients."""

    def __init__(self, *, today=None, provider=None):
        self.today = today or timezone.localdate()
        self.provider = provider

    def _follow_ups(self):
        # Each section says "open" once: PostgreSQL multiplies the odds of a repeated
        # condition, expects a handful of rows and sorts them all instead of reading
        # the open follow-ups' index until the page is full.
        return (
            FollowUp.objects.for_provider(self.provider)
            .select_related("patient", "appointment", "provider")
            .order_by("due_from", "pk")
        )

    @property
    def due(self):
        return self._follow_ups().open().not_booked().due_between(self.today, self.today + WEEK)

    @property
    def overdue(self):
        return self._follow_ups().overdue(self.today)

    @property
    def missed(self):
        return self._follow_ups().missed()

    @property
    def no_next_appointment(self):
        """Series in treatment that still owe sessions, with no session booked ahead."""
        upcoming = Appointment.objects.sessions().filter(
            patient=OuterRef("patient"),
            status__in=ACTIVE_STATUSES,
            starts_at__gt=timezone.now(),
        )
        plans = (
            TreatmentPlan.objects.in_treatment()
            .filter(~Exists(upcoming))
            .owing_sessions()
            .select_related("patient", "protocol_version", "ordered_by")
            # The longest in treatment first (and the plans' index, not a walk of every patient).
            .order_by("first_day", "pk")
        )
        return plans.filter(ordered_by=self.provider) if self.provider else plans

    @property
    def questionnaires(self):
        links = (
            PatientLink.objects.filter(purpose=LinkPurpose.QUESTIONNAIRE, revoked_at__isnull=True)
            .select_related("patient")
            .order_by("created_at", "pk")
        )
        if self.provider:
            links = links.filter(
                Exists(
                    TreatmentPlan.objects.filter(
                        patient=OuterRef("patient"), ordered_by=self.provider
                    )
                )
            )
        return links

    @property
    def rems(self):
        records = SessionRecord.objects.rems_due().select_related("appointment__patient")
        if self.provider:
            records = records.filter(appointment__plan__ordered_by=self.provider)
        return records.order_by("rems_due_on", "dose_started_at", "pk")

    @property
    def to_rebook(self):
        sessions = (
            Appointment.objects.active()
            .filter(needs_rebooking=True)
            .select_related("patient", "route", "room")
            .order_by("starts_at", "pk")
        )
        if self.provider:
            sessions = sessions.filter(plan__ordered_by=self.provider)
        return sessions

    def rows(self, key):
        if key not in SECTION_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def overview(self, *, rows=PREVIEW_ROWS):
        """(section, count, its first rows) for every section."""
        counts = self.counts()
        return [
            (section, counts[section.key], self.rows(section.key)[:rows]) for section in SECTIONS
        ]

    def page(self, key, number, *, per_page=ROWS_PER_PAGE):
        """One page of a section, numbered by its kept count (the rows are read live)."""
        return Paginator(CountedRows(self.rows(key), self.counts()[key]), per_page).get_page(number)

    def counts(self):
        """One SQL COUNT per section (the home page shows these without loading any row),
        kept until a counted record changes (clinic/counts.py)."""
        who = self.provider.pk if self.provider else "all"
        return counted(
            f"worklist:{who}:{self.today.isoformat()}",
            lambda: {section.key: self.rows(section.key).count() for section in SECTIONS},
        )


def worklist_build(*, today=None, provider=None) -> Worklist:
    return Worklist(today=today, provider=provider)
