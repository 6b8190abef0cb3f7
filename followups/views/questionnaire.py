"""Pages a patient opens from a questionnaire or reminder email; no account, no staff menu."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from clinic.instruments import INSTRUMENTS, phq9_self_harm_risk
from clinic.link_sessions import LinkUnavailable, link_open, link_page, link_unavailable
from clinic.models import LinkPurpose
from followups.forms import MeasureForm
from followups.preferences import patient_for_opt_out_token, reminders_set
from followups.questionnaires import questionnaire_answer, questionnaire_remaining

UNAVAILABLE = "followups/patient/link_unavailable.html"
CRISIS_KEY = "questionnaire_crisis"


@login_not_required
@never_cache
def questionnaire_start(request, token):
    """Exchange the token for a session, then continue on a URL that carries no token."""
    try:
        link = link_open(request, token, purpose=LinkPurpose.QUESTIONNAIRE)
    except LinkUnavailable as refusal:
        return link_unavailable(request, template=UNAVAILABLE, status=refusal.status)
    request.session[CRISIS_KEY] = False
    link.mark_opened()
    return redirect("followups:questionnaire")


@link_page(purpose=LinkPurpose.QUESTIONNAIRE, unavailable_template=UNAVAILABLE)
def questionnaire(request, link):
    remaining = questionnaire_remaining(link)
    if not remaining:
        return redirect("followups:questionnaire_done")
    code = remaining[0]
    if request.method == "POST" and request.POST.get("instrument") != code:
        # A page posted twice or after going back: its answers are not for the one due now.
        return redirect("followups:questionnaire")
    form = MeasureForm(request.POST if request.method == "POST" else None, instrument_code=code)
    if request.method == "POST" and form.is_valid():
        measure = questionnaire_answer(
            link=link,
            instrument_code=code,
            answers=form.answers(),
            difficulty=form.cleaned_data["difficulty"],
        )
        if measure is None:
            return redirect("followups:questionnaire")
        if code == "phq9" and phq9_self_harm_risk(form.answers()):
            request.session[CRISIS_KEY] = True
        if len(remaining) == 1:
            return redirect("followups:questionnaire_done")
        return redirect("followups:questionnaire")
    return render(
        request,
        "followups/patient/questionnaire.html",
        {
            "form": form,
            "instrument": INSTRUMENTS[code],
            "number": 3 - len(remaining),
            "count": 2,
            "crisis": request.session.get(CRISIS_KEY, False),
        },
    )


@link_page(purpose=LinkPurpose.QUESTIONNAIRE, unavailable_template=UNAVAILABLE, usable_only=False)
def questionnaire_done(request, link):
    return render(
        request,
        "followups/patient/questionnaire_done.html",
        {"crisis": request.session.get(CRISIS_KEY, False)},
    )


@login_not_required
@never_cache
def reminders_opt_out(request, token):
    """Asks first (GET), acts on the button (POST): mail scanners open links, people press."""
    patient = patient_for_opt_out_token(token)
    if patient is None:
        return link_unavailable(request, template=UNAVAILABLE)
    done = False
    if request.method == "POST":
        reminders_set(patient=patient, enabled=False, by_patient=True)
        done = True
    return render(request, "followups/patient/opt_out.html", {"done": done})
