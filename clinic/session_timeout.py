"""The warning before an idle session ends (WCAG 2.2.1), and whose session it is.

A session ends SESSION_COOKIE_AGE seconds after its last request (clinic/settings.py).
static/js/session_timeout.js warns `warning_seconds` before that and offers to stay
signed in (the keep-alive, clinic/session_views.py). What was typed after the end is kept
in the tab's sessionStorage under `owner`: an id that tells people apart without naming
them, so a draft is only ever put back for the person who typed it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

from clinic.link_sessions import link_held
from clinic.models import LinkPurpose
from clinic.two_factor import two_factor_pending

WARNING_SECONDS = 2 * 60


@dataclass(frozen=True)
class SessionWarning:
    owner: str
    patient: bool
    timeout_seconds: int
    warning_seconds: int

    @property
    def warning_words(self):
        seconds = self.warning_seconds
        if seconds % 60 == 0:
            minutes = seconds // 60
            return f"{minutes} minute{'s' if minutes != 1 else ''}"
        return f"{seconds} second{'s' if seconds != 1 else ''}"


def session_owner(request):
    """Who this session protects: a staff member who has given both factors, or a patient
    holding a usable link; None for anyone else (nothing to keep alive)."""
    user = request.user
    if user.is_authenticated:
        return None if two_factor_pending(user) else f"staff-{user.pk}"
    patients = {
        link.patient_id
        for purpose in LinkPurpose.values
        if (link := link_held(request, purpose=purpose)) is not None
    }
    if not patients:
        return None
    # Keyed with SECRET_KEY: the id in the page says nothing about the patient or the link,
    # and it stays the same when the patient opens their link again.
    held = ",".join(str(pk) for pk in sorted(patients))
    return (
        "patient-"
        + salted_hmac("clinic.session_timeout.owner", held, algorithm="sha256").hexdigest()[:32]
    )


def session_warning_for(request):
    """The warning for this page, or None when the page has no session to protect."""
    if request is None or not hasattr(request, "user"):
        return None
    owner = session_owner(request)
    if owner is None:
        return None
    timeout = settings.SESSION_COOKIE_AGE
    return SessionWarning(
        owner=owner,
        patient=not request.user.is_authenticated,
        timeout_seconds=timeout,
        warning_seconds=min(WARNING_SECONDS, timeout // 2),
    )
