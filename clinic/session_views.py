"""Keeping an idle session open when the person asks to (clinic/session_timeout.py)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_POST

from clinic.session_timeout import session_owner


@login_not_required  # patients have no login; session_owner decides
@require_POST
def session_keep_alive(request):
    if session_owner(request) is None:
        # Refused without pushing back the expiry of whatever session came with it.
        request.not_activity = True
        return HttpResponseForbidden()
    # Saving the session moves its expiry SESSION_COOKIE_AGE on from now.
    request.session.modified = True
    return HttpResponse(status=204)
