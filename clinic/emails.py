"""Email bodies, with every date and time in the clinic's own zone wherever they are sent from."""

from django.template.loader import render_to_string
from django.utils import timezone

from clinic.models import Clinic


def email_body(template_name, context):
    """The body of an email, rendered in the clinic's time zone.

    Pages show times in the clinic's zone through ClinicTimezoneMiddleware; the background
    worker that sends reminders has no request, so without this a reminder's subject said
    "Thu Dec 3 at 8:30 AM" and its body the server's "Wednesday, December 2 at 11:30 PM".
    """
    clinic = Clinic.load()
    with timezone.override(clinic.zone):
        return render_to_string(template_name, {"clinic": clinic, **context})
