"""The public self-referral page, when the clinic turns it on."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from clinic.link_sessions import link_hold
from clinic.ratelimit import rate_limited
from intake import services
from intake.forms import SelfReferralForm

REFERRAL_LIMIT = 5
REFERRAL_WINDOW_SECONDS = 60 * 60


@login_not_required
def self_referral(request):
    if not request.clinic.self_referral_enabled:
        raise Http404("Self-referral is turned off.")
    form = SelfReferralForm(data=request.POST or None)
    if request.method == "POST":
        if rate_limited(
            request,
            scope="self-referral",
            limit=REFERRAL_LIMIT,
            window_seconds=REFERRAL_WINDOW_SECONDS,
        ):
            return render(request, "intake/self_referral.html", {"limited": True}, status=429)
        if form.is_spam():
            # Look the same as success, so that automated senders learn nothing.
            return render(request, "intake/self_referral_sent.html")
        if form.needs_sending_again():
            return render(
                request, "intake/self_referral.html", {"form": form.restarted(), "again": True}
            )
        if form.is_valid():
            try:
                _patient, link = services.self_referral_create(
                    data=form.cleaned_data, site_url=request.build_absolute_uri("/")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                link_hold(request, link)
                services.intake_open(link=link)
                return redirect("intake:welcome")
    return render(request, "intake/self_referral.html", {"form": form})
