"""Opening a patient's private link: the token is exchanged for this browser session.

Intake and the follow-up questionnaires follow the same rules: opening links
is rate-limited per client, an unknown, expired or revoked token is refused
the same way, the session key is rotated, and later pages carry no token —
they find the link again through the session and re-check it every time.
"""

from clinic.models import PatientLink
from clinic.ratelimit import rate_limited

OPEN_LIMIT = 30
OPEN_WINDOW_SECONDS = 10 * 60


class LinkUnavailable(Exception):  # noqa: N818 - an outcome the patient sees, not a fault
    """The link cannot be opened; `status` is 404, or 429 after too many attempts."""

    def __init__(self, status):
        self.status = status
        super().__init__(status)


def link_open(request, token, *, purpose, session_key):
    """The link the token opens, now held by this session; raise LinkUnavailable if none."""
    if rate_limited(
        request, scope=f"{purpose}-start", limit=OPEN_LIMIT, window_seconds=OPEN_WINDOW_SECONDS
    ):
        raise LinkUnavailable(429)
    link = PatientLink.objects.find_usable(token, purpose=purpose)
    if link is None:
        raise LinkUnavailable(404)
    link_hold(request, link, session_key=session_key)
    return link


def link_hold(request, link, *, session_key):
    """Keep the link in a fresh session, so that a fixated session id gains nothing."""
    request.session.cycle_key()
    request.session[session_key] = link.pk


def links_held(request, *, purpose, session_key):
    """The usable link this session holds, as a queryset (empty when there is none)."""
    link_id = request.session.get(session_key)
    if not isinstance(link_id, int):
        return PatientLink.objects.none()
    return PatientLink.objects.usable().filter(pk=link_id, purpose=purpose)
