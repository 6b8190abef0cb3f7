"""Scheduling's sections on the patient page and the staff home page, and its menu items."""

from django.db.models import Count, Window
from django.utils import timezone

from clinic.navigation import NavItem, register_nav_item
from clinic.panels import Panel, register_home_panel, register_patient_panel
from scheduling.models import Appointment, RemsEnrollment, SessionRecord, TreatmentPlan

register_nav_item(NavItem("Today", "scheduling:today", permission="scheduling.view_appointment"))
register_nav_item(
    NavItem("Flow board", "scheduling:flow_board", permission="scheduling.view_appointment")
)
register_nav_item(NavItem("Chairs", "scheduling:day", permission="scheduling.view_appointment"))
register_nav_item(
    NavItem("REMS forms", "scheduling:rems_due", permission="scheduling.view_sessionrecord")
)
register_nav_item(
    NavItem("Clinicians", "scheduling:week", permission="scheduling.view_appointment")
)


@register_patient_panel
def treatment_panel(request, patient):
    user = request.user
    if not user.has_perm("scheduling.view_appointment"):
        return None
    plans = list(TreatmentPlan.objects.filter(patient=patient).select_related("protocol_version"))
    upcoming = list(
        Appointment.objects.filter(patient=patient)
        .upcoming()
        .select_related("route", "room", "follow_up")
        .order_by("starts_at")[:12]
    )
    return Panel(
        title="Treatment plans and sessions",
        template_name="scheduling/patient_panel.html",
        context={
            "patient": patient,
            "plans": plans,
            "upcoming": upcoming,
            "cleared": patient.cleared_routes.exists(),
            "rems": RemsEnrollment.objects.filter(patient=patient).first(),
        },
        order=20,
    )


@register_home_panel
def dosing_holds_panel(request):
    """Sessions waiting for a provider's decision on a high pre-dose blood pressure."""
    if not request.user.has_perm("scheduling.decide_dosing_hold"):
        return None
    held = list(
        SessionRecord.objects.filter(
            hold_raised_at__isnull=False,
            hold_decision="",
            appointment__status="checked_in",
            dose_started_at__isnull=True,
            signed_at__isnull=True,
        ).select_related("appointment__patient", "appointment__room")
    )
    if not held:
        return None
    return Panel(
        title="Dosing held: your decision is needed",
        template_name="scheduling/holds_panel.html",
        context={"held": held},
        order=5,
    )


HOME_SESSIONS = 8
HOME_DRAFTS = 5


@register_home_panel
def today_panel(request):
    """The next sessions of the day (a few), today's count, and series waiting to be booked."""
    user = request.user
    if not user.has_perm("scheduling.view_appointment"):
        return None
    today = Appointment.objects.active().on_day(
        timezone.localdate(), timezone.get_current_timezone()
    )
    upcoming = (
        today.filter(ends_at__gt=timezone.now())
        .exclude(status=Appointment.Status.COMPLETED)
        .select_related("patient", "route", "room", "clinician")
        .order_by("starts_at", "pk")[:HOME_SESSIONS]
    )
    drafts = []
    if user.has_perm("scheduling.add_appointment"):
        # The oldest few, each carrying how many wait in all: one query for both.
        drafts = list(
            TreatmentPlan.objects.filter(status=TreatmentPlan.Status.DRAFT)
            .select_related("patient", "protocol_version")
            .annotate(waiting=Window(Count("*")))
            .order_by("created_at", "pk")[:HOME_DRAFTS]
        )
    checked_in = (
        today.filter(status=Appointment.Status.CHECKED_IN)
        .select_related("patient", "room")
        .order_by("checked_in_at", "pk")[:HOME_SESSIONS]
    )
    return Panel(
        title="Today's sessions",
        template_name="scheduling/home_panel.html",
        context={
            "checked_in": checked_in,
            "appointments": upcoming,
            "today_count": today.count(),
            "drafts": drafts,
            "draft_count": drafts[0].waiting if drafts else 0,
        },
        order=10,
    )
