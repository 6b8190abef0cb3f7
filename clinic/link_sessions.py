"""Opening a patient's private link: the token is exchanged for this browser session.

Intake and the follow-up questionnaires follow the same rules: opening links
is rate-limited per client, an unknown, expired or revoked token is refused
the same way, the session key is rotated, and later pages carry no token —
they find the link again through the session and re-check it every time
(`@link_page`).

A browser holds either a staff login or patient links, never both: opening a
link ends a staff session, and a staff login ends the links (`link_release_all`;
a link is never served to a logged-in user, whichever way they logged in).
"""

from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from clinic.models import LinkPurpose, PatientLink
from clinic.ratelimit import rate_limited

OPEN_LIMIT = 30
OPEN_WINDOW_SECONDS = 10 * 60


class LinkUnavailable(Exception):  # noqa: N818 - an outcome the patient sees, not a fault
    """The link cannot be opened; `status` is 404, or 429 after too many attempts."""

    def __init__(self, status):
        self.status = status
        super().__init__(status)


def _session_key(purpose):
    # One key per purpose, so an intake and a questionnaire can be open in one browser.
    return f"{purpose}_link_id"


def link_open(request, token, *, purpose):
    """The link the token opens, now held by this session; raise LinkUnavailable if none."""
    if rate_limited(
        request, scope=f"{purpose}-start", limit=OPEN_LIMIT, window_seconds=OPEN_WINDOW_SECONDS
    ):
        raise LinkUnavailable(429)
    link = PatientLink.objects.find_usable(token, purpose=purpose)
    if link is None:
        raise LinkUnavailable(404)
    link_hold(request, link)
    return link


def link_hold(request, link):
    """Keep the link in a fresh session, so that a fixated session id gains nothing.

    A staff member logged in in this browser is logged out first: a patient given the
    clinic's computer must not find the staff pages open behind their form.
    """
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.cycle_key()
    request.session[_session_key(link.purpose)] = link.pk


def link_release_all(request):
    """Forget every link this session holds (a staff member is logging in)."""
    for purpose in LinkPurpose.values:
        request.session.pop(_session_key(purpose), None)


def link_held(request, *, purpose, usable_only=True):
    """The link this session holds, with its patient; None when there is none (or no longer)."""
    if request.user.is_authenticated:
        link_release_all(request)
        return None
    link_id = request.session.get(_session_key(purpose))
    if not isinstance(link_id, int):
        return None
    links = PatientLink.objects.usable() if usable_only else PatientLink.objects.all()
    return links.filter(pk=link_id, purpose=purpose).select_related("patient").first()


def link_unavailable(request, *, template, status=404):
    """One page for unknown, expired, revoked and used links, so none can be told apart."""
    return render(request, template, status=status)


def link_page(*, purpose, unavailable_template, usable_only=True):
    """A public patient page for the holder of a link exchanged in this session.

    The view is called as `view(request, link, ...)` with the link and its patient,
    re-checked on every request; without a usable link the session holds, the
    patient sees `unavailable_template` (404) instead. `usable_only=False` also
    serves a link used up, revoked or expired since (the page after the last answer).
    """

    def decorator(view):
        @login_not_required
        @never_cache
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            link = link_held(request, purpose=purpose, usable_only=usable_only)
            if link is None:
                return link_unavailable(request, template=unavailable_template)
            return view(request, link, *args, **kwargs)

        return wrapper

    return decorator
