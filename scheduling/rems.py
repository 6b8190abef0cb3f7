"""Spravato REMS rules (esketamine only)."""

from django.utils import timezone

from clinic.models import Route
from scheduling.models import RemsEnrollment


def rems_required_and_missing(*, patient, route):
    if route.code != Route.Code.INTRANASAL:
        return False
    enrollment = RemsEnrollment.objects.filter(patient=patient).first()
    return (
        enrollment is None
        or not enrollment.complete
        or enrollment.enrolled_on > timezone.localdate()
    )
