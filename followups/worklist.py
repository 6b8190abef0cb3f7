"""The staff worklist: who is due, overdue or missing something. Each section is one query."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from clinic.models import LinkPurpose, PatientLink
from followups.models import FollowUp
from scheduling.models import ACTIVE_STATUSES, Appointment, SessionRecord, TreatmentPlan

WEEK = datetime.timedelta(days=6)


@dataclass
class Worklist:
    due: list
    overdue: list
    missed: list
    no_next_appointment: list
    questionnaires: list
    rems: list  # (session record, days left to submit its REMS form), oldest first

    def counts(self):
        return {
            "due": len(self.due),
            "overdue": len(self.overdue),
            "missed": len(self.missed),
            "no_next_appointment": len(self.no_next_appointment),
            "questionnaires": len(self.questionnaires),
            "rems": len(self.rems),
        }

    @property
    def total(self):
        return sum(self.counts().values())


def _follow_ups(provider):
    return (
        FollowUp.objects.open()
        .for_provider(provider)
        .select_related("patient", "appointment", "provider")
        .order_by("due_from", "pk")
    )


def worklist_build(*, today=None, provider=None) -> Worklist:
    """Every section of the worklist for `today` (the clinic's day), optionally one provider's."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = list(_follow_ups(provider).not_booked().due_between(today, today + WEEK))
    overdue = list(_follow_ups(provider).overdue(today))
    missed = list(_follow_ups(provider).missed())

    upcoming = Appointment.objects.sessions().filter(
        patient=OuterRef("patient"), status__in=ACTIVE_STATUSES, starts_at__gt=now
    )
    plans = (
        TreatmentPlan.objects.filter(status=TreatmentPlan.Status.CONFIRMED)
        .annotate(
            done=Count("appointments", filter=Q(appointments__status=Appointment.Status.COMPLETED))
        )
        .filter(~Exists(upcoming))
        .select_related("patient", "protocol_version", "ordered_by")
        .order_by("patient__legal_last_name", "pk")
    )
    if provider:
        plans = plans.filter(ordered_by=provider)
    no_next = [plan for plan in plans if plan.done < plan.protocol_version.session_count]

    links = (
        PatientLink.objects.filter(purpose=LinkPurpose.QUESTIONNAIRE, revoked_at__isnull=True)
        .select_related("patient")
        .order_by("created_at")
    )
    if provider:
        links = links.filter(
            Exists(TreatmentPlan.objects.filter(patient=OuterRef("patient"), ordered_by=provider))
        )

    rems = SessionRecord.objects.rems_due().select_related("appointment__patient")
    if provider:
        rems = rems.filter(appointment__plan__ordered_by=provider)
    rems = [(record, record.rems_days_left(today)) for record in rems.order_by("dose_started_at")]
    return Worklist(
        due=due,
        overdue=overdue,
        missed=missed,
        no_next_appointment=no_next,
        questionnaires=list(links),
        rems=rems,
    )
