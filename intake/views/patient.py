"""Pages a patient opens through a private link; no account, no staff navigation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from clinic.link_sessions import LinkUnavailable, link_open, link_page, link_unavailable
from clinic.models import LinkPurpose
from clinic.ratelimit import client_address
from intake import services
from intake.display import answer_sections
from intake.forms import STEP_FORMS, ConsentForm
from intake.models import ConsentDocument, ConsentSignature, IntakeStatus
from intake.questions import ANSWER_STEPS, CONSENT, REVIEW, STEP_SLUGS, STEPS, STEPS_BY_SLUG
from intake.summary import summarize

UNAVAILABLE = "intake/link_unavailable.html"


@login_not_required
@never_cache
def start(request, token):
    """Exchange the token for a session, then continue on a URL that carries no token."""
    try:
        link = link_open(request, token, purpose=LinkPurpose.INTAKE)
    except LinkUnavailable as refusal:
        return link_unavailable(request, template=UNAVAILABLE, status=refusal.status)
    services.intake_open(link=link)
    return redirect("intake:welcome")


def _progress(slug):
    number = STEP_SLUGS.index(slug) + 1
    previous = STEP_SLUGS[number - 2] if number > 1 else None
    return {
        "step": STEPS_BY_SLUG[slug],
        "number": number,
        "count": len(STEPS),
        "previous_url": reverse("intake:step", args=[previous]) if previous else None,
    }


def _self_harm_risk(intake):
    return summarize(intake.answers).self_harm_risk


def _step_state(intake, slug, done):
    """'to do' for a step the provider reopened, 'done' for one answered, else ''."""
    if intake.status == IntakeStatus.MORE_INFO and slug in intake.reopened_steps:
        return "to do"
    return "done" if slug in done else ""


@link_page(purpose=LinkPurpose.INTAKE, unavailable_template=UNAVAILABLE)
def welcome(request, link):
    intake = link.patient.intake
    done = set(intake.completed_steps())
    return render(
        request,
        "intake/welcome.html",
        {
            "intake": intake,
            "steps": [
                (step, _step_state(intake, step.slug, done))
                for step in STEPS
                if step.slug != REVIEW
            ],
            "resume_url": reverse("intake:step", args=[intake.resume_step()]),
            "started": bool(done),
        },
    )


def _initial(intake, slug):
    if slug in intake.answers:
        return intake.answers[slug]
    if slug == "about-you":
        patient = intake.patient
        return {
            name: getattr(patient, name)
            for name in services.PATIENT_FIELDS_FROM_ABOUT_YOU
            if getattr(patient, name)
        }
    if slug == "contacts":
        patient = intake.patient
        return {
            name: getattr(patient, name)
            for name in services.PATIENT_FIELDS_FROM_CONTACTS
            if getattr(patient, name)
        }
    return None


@link_page(purpose=LinkPurpose.INTAKE, unavailable_template=UNAVAILABLE)
def step(request, link, slug):
    if slug not in STEPS_BY_SLUG:
        raise Http404
    intake = link.patient.intake
    if slug == REVIEW:
        return review(request, intake)
    if slug == CONSENT:
        return consent(request, intake)
    if not intake.can_edit_step(slug):
        messages.info(request, "This part of the form can no longer be changed.")
        return redirect("intake:step", REVIEW)

    form_class = STEP_FORMS[slug]
    initial = _initial(intake, slug)
    if request.method == "POST":
        form = form_class(data=request.POST, initial=initial)
        if form.is_valid():
            services.intake_step_save(intake=intake, step=slug, data=form.to_json())
            if "add_rows" in request.POST:
                return redirect("intake:step", slug)
            return redirect("intake:step", intake.next_step(slug))
    else:
        form = form_class(initial=initial)
    return render(
        request,
        "intake/step.html",
        {
            **_progress(slug),
            "intake": intake,
            "form": form,
            "crisis": slug != "phq9" and _self_harm_risk(intake),
        },
    )


def consent(request, intake):
    signature = ConsentSignature.objects.filter(intake=intake).select_related("document").first()
    document = signature.document if signature else ConsentDocument.objects.current()
    last_name = intake.answers.get("about-you", {}).get("legal_last_name") or (
        intake.patient.legal_last_name
    )
    form = ConsentForm(data=request.POST or None, last_name=last_name)
    if request.method == "POST" and signature is None and intake.can_edit_step(CONSENT):
        if form.is_valid():
            try:
                services.intake_consent_sign(
                    intake=intake,
                    signed_name=form.cleaned_data["signed_name"],
                    ip_address=client_address(request) if request.META.get("REMOTE_ADDR") else None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("intake:step", intake.next_step(CONSENT))
    elif request.method == "POST":
        return redirect("intake:step", REVIEW)
    return render(
        request,
        "intake/consent.html",
        {
            **_progress(CONSENT),
            "intake": intake,
            "form": form,
            "document": document,
            "signature": signature,
            "crisis": _self_harm_risk(intake),
        },
    )


def review(request, intake):
    error = None
    if request.method == "POST" and intake.is_editable:
        try:
            services.intake_submit(intake=intake)
        except ValidationError as submit_error:
            error = submit_error.messages[0]
        else:
            return redirect("intake:done")
    signature = ConsentSignature.objects.filter(intake=intake).select_related("document").first()
    return render(
        request,
        "intake/review.html",
        {
            **_progress(REVIEW),
            "intake": intake,
            "sections": answer_sections(intake.answers),
            "editable_slugs": [slug for slug in ANSWER_STEPS if intake.can_edit_step(slug)],
            "signature": signature,
            "missing": [STEPS_BY_SLUG[s] for s in intake.missing_steps(signed=bool(signature))],
            "error": error,
            "crisis": _self_harm_risk(intake),
        },
    )


@link_page(purpose=LinkPurpose.INTAKE, unavailable_template=UNAVAILABLE)
def done(request, link):
    intake = link.patient.intake
    if intake.is_editable:
        return redirect("intake:step", REVIEW)
    return render(
        request, "intake/done.html", {"intake": intake, "crisis": _self_harm_risk(intake)}
    )
