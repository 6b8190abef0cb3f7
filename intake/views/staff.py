"""Staff pages: sending links, the review queue, the summary and the provider's decision."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.access_log import log_access
from clinic.models import AccessKind, Patient, SafetyFlag
from intake import services
from intake.display import answer_sections
from intake.forms import DecisionForm
from intake.models import ConsentSignature, Decision, Intake, IntakeStatus
from intake.summary import summarize

QUEUE_PER_PAGE = 25


def _site_url(request):
    return request.build_absolute_uri("/")


@permission_required("intake.send_intake_link", raise_exception=True)
@require_POST
def link_send(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        services.intake_link_send(
            patient=patient, site_url=_site_url(request), issued_by=request.user
        )
    except services.NoEmailAddress:
        messages.error(
            request,
            "This patient has no email address. Add one, or create a link to copy instead.",
        )
    else:
        messages.success(
            request, f"Intake link sent to {patient.email}. Any earlier link no longer works."
        )
    return redirect(patient)


@permission_required("intake.send_intake_link", raise_exception=True)
@require_POST
@never_cache
def link_copy(request, patient_pk):
    """Shown once: only a hash of the token is stored, so it cannot be shown again later."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    link, token = services.intake_link_issue(patient=patient, issued_by=request.user)
    return render(
        request,
        "intake/link_created.html",
        {
            "patient": patient,
            "link": link,
            "url": services.intake_link_url(site_url=_site_url(request), token=token),
        },
    )


@permission_required("intake.send_intake_link", raise_exception=True)
@require_POST
def link_revoke(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    if services.intake_link_revoke(patient=patient):
        messages.success(request, "The intake link no longer works.")
    else:
        messages.info(request, "There was no working intake link.")
    return redirect(patient)


@permission_required("intake.view_intake", raise_exception=True)
def queue(request):
    page = Intake.objects.review_page(request.GET.get("page"), QUEUE_PER_PAGE)
    return render(request, "intake/queue.html", {"page": page})


@permission_required("intake.view_intake", raise_exception=True)
def review(request, pk, decision_form=None):
    intake = get_object_or_404(
        Intake.objects.select_related("patient", "phq9", "gad7", "decided_by"), pk=pk
    )
    log_access(
        request, AccessKind.INTAKE_SUMMARY, patient=intake.patient, subject=f"Intake {intake.pk}"
    )
    can_decide = (
        request.user.has_perm("intake.clear_intake") and intake.status == IntakeStatus.SUBMITTED
    )
    return render(
        request,
        "intake/summary.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "summary": summarize(intake.answers, request.clinic),
            "sections": answer_sections(intake.answers),
            "signature": ConsentSignature.objects.filter(intake=intake)
            .select_related("document")
            .first(),
            "open_flags": SafetyFlag.objects.open().filter(patient=intake.patient),
            "form": decision_form or (DecisionForm() if can_decide else None),
        },
    )


@permission_required("intake.clear_intake", raise_exception=True)
@require_POST
def decide(request, pk):
    intake = get_object_or_404(Intake, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.intake_decide(
                intake=intake,
                decided_by=request.user,
                site_url=_site_url(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The decision is recorded.")
            if form.cleaned_data["decision"] == Decision.MORE_INFO and not intake.patient.email:
                messages.warning(
                    request,
                    "The patient has no email address: create a link to copy below and send "
                    "it with your message another way.",
                )
            return redirect(intake.patient)
    return review(request, pk, decision_form=form)
