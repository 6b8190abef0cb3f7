"""The intake sections on the patient page and the staff home page."""

from clinic.models import LinkPurpose, PatientLink
from clinic.panels import Panel
from intake.models import Intake, IntakeStatus


def patient_intake_panel(request, patient):
    user = request.user
    can_send = user.has_perm("intake.send_intake_link")
    can_view = user.has_perm("intake.view_intake")
    if not (can_send or can_view):
        return None
    intake = Intake.objects.filter(patient=patient).select_related("phq9").first()
    link = (
        PatientLink.objects.usable()
        .filter(patient=patient, purpose=LinkPurpose.INTAKE)
        .order_by("-created_at")
        .first()
    )
    return Panel(
        title="Intake",
        template_name="intake/patient_panel.html",
        context={
            "patient": patient,
            "intake": intake,
            "link": link,
            "can_send": can_send,
            "can_view": can_view,
        },
        order=10,
    )


def home_review_panel(request):
    """How many intakes wait for a provider: with the queue's link for clinical staff, and
    as a number for the front desk (who answer the patients' calls about them)."""
    user = request.user
    can_review = user.has_perm("intake.view_intake")
    if not (can_review or user.has_perm("intake.send_intake_link")):
        return None
    waiting = Intake.objects.filter(status=IntakeStatus.SUBMITTED).count()
    return Panel(
        title="Intakes waiting for review",
        template_name="intake/home_panel.html",
        context={"waiting": waiting, "can_review": can_review},
        order=20,
    )
