from django.utils import timezone

from clinic.models import Clinic


class ClinicTimezoneMiddleware:
    """Show every time in the clinic's own zone, whoever is looking."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.clinic = Clinic.load()
        with timezone.override(request.clinic.zone):
            return self.get_response(request)
