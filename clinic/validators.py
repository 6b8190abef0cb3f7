import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-]+$")


def normalize_phone(value):
    """Keep the digits (and a leading +) so that searches match however it was typed."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    return f"+{digits}" if value.startswith("+") else digits


def validate_phone(value):
    digits = re.sub(r"\D", "", value or "")
    if not PHONE_ALLOWED.match(value or "") or not 10 <= len(digits) <= 15:
        raise ValidationError(
            "Enter a phone number with its area code, for example (555) 123-4567.",
            code="invalid_phone",
        )


def validate_not_in_future(value):
    if value > timezone.localdate():
        raise ValidationError("The date of birth cannot be in the future.", code="future_date")


def validate_plausible_birth_date(value):
    if value < datetime.date(1900, 1, 1):
        raise ValidationError(
            "Please check the year of birth; it looks too early.", code="implausible_date"
        )


def age_on(date_of_birth, day):
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"]


def parse_human_date(text):
    """A date typed the way people in the US write it, or ISO; None if it is not one."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), date_format).date()
        except ValueError:
            continue
    return None
