from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control

from clinic.models import Clinic


class ClinicTimezoneMiddleware:
    """Show every time in the clinic's own zone, whoever is looking."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.clinic = Clinic.load()
        with timezone.override(request.clinic.zone):
            return self.get_response(request)


class RefuseNulBytesMiddleware:
    """Answer 400 to a NUL byte anywhere in the address, the query string or a form field.

    No one types one; PostgreSQL cannot store one, so letting it through turns a prank
    into a server error on whichever page first hands it to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or _has_nul(request.POST):
            raise BadRequest("A NUL byte in the request.")
        return self.get_response(request)


def _has_nul(data):
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page the app draws.

    Patient pages, link pages and exports must not be reopened from a shared computer's
    cache or history after the session ends. Static files are served (and cached) by
    WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
