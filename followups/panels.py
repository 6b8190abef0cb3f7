"""The follow-up sections of the patient page and the staff home page, and their menu items.

The patient page section runs a fixed number of queries however many scores,
sessions, follow-ups and reminders the patient has (pinned by a test).
"""

from django.utils import timezone

from clinic.instruments import InstrumentCode
from clinic.models import Clinic, LinkPurpose, OutcomeMeasure, PatientLink
from clinic.navigation import NavItem, register_nav_item
from clinic.panels import Panel, register_home_panel, register_patient_panel
from clinic.trends import Score, trend_chart
from followups.models import FollowUp, Reminder, ReminderPreference
from followups.worklist import SECTIONS, worklist_build
from scheduling.models import Appointment

REMINDERS_SHOWN = 20

register_nav_item(NavItem("Worklist", "followups:worklist", permission="followups.view_followup"))
register_nav_item(
    NavItem("Report", "followups:clinic_report", permission="followups.view_clinic_report")
)


def patient_chart(patient):
    zone = Clinic.load().zone
    scores = {InstrumentCode.PHQ9: [], InstrumentCode.GAD7: []}
    for instrument, total, taken_at in OutcomeMeasure.objects.filter(patient=patient).values_list(
        "instrument", "total", "taken_at"
    ):
        scores[instrument].append(Score(taken_at.astimezone(zone).date(), total))
    sessions = [
        starts_at.astimezone(zone).date()
        for starts_at in Appointment.objects.sessions()
        .filter(patient=patient, status=Appointment.Status.COMPLETED)
        .values_list("starts_at", flat=True)
    ]
    return trend_chart(
        phq9=scores[InstrumentCode.PHQ9], gad7=scores[InstrumentCode.GAD7], sessions=sessions
    )


@register_patient_panel
def follow_up_panel(request, patient):
    user = request.user
    if not user.has_perm("followups.view_followup"):
        return None
    context = {"patient": patient, "today": timezone.localdate()}
    if user.has_perm("clinic.view_outcomemeasure"):
        context["chart"] = patient_chart(patient)
    context["follow_ups"] = list(
        FollowUp.objects.filter(patient=patient)
        .select_related("appointment", "provider")
        .order_by("-due_from")
    )
    if user.has_perm("followups.view_reminder"):
        context["reminders"] = list(
            Reminder.objects.filter(patient=patient).select_related("appointment")[:REMINDERS_SHOWN]
        )
        preference = ReminderPreference.objects.filter(patient=patient).first()
        context["reminders_on"] = preference is None or preference.email_reminders
        context["opted_out_by_patient"] = preference is not None and preference.changed_by_patient
    context["questionnaire_link"] = (
        PatientLink.objects.filter(
            patient=patient, purpose=LinkPurpose.QUESTIONNAIRE, revoked_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    return Panel(
        title="Follow-ups and outcomes",
        template_name="followups/follow_up_panel.html",
        context=context,
        order=30,
    )


@register_home_panel
def worklist_panel(request):
    if not request.user.has_perm("followups.view_followup"):
        return None
    counts = worklist_build().counts()
    return Panel(
        title="Worklist",
        template_name="followups/worklist_home_panel.html",
        context={
            "counts": counts,
            "sections": [(section, counts[section.key]) for section in SECTIONS],
            "total": sum(counts.values()),
        },
        order=15,
    )
