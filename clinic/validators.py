import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-]+$")


def normalize_phone(value):
    """Keep the digits (and a leading +) so that searches match however it was typed."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    return f"+{digits}" if value.startswith("+") else digits


def format_phone(value):
    """A stored number as people read it: (415) 555-0100, +1 (415) 555-0100; others as kept."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"+1 ({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    if len(digits) == 10 and not (value or "").startswith("+"):
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return value or ""


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


OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)
OLDEST_AGE = 120


def validate_plausible_birth_date(value):
    if value < OLDEST_BIRTH_DATE or age_on(value, timezone.localdate()) > OLDEST_AGE:
        raise ValidationError(
            "Please check the year of birth: that would make the person older than %(age)s.",
            code="implausible_date",
            params={"age": OLDEST_AGE},
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


# Right-to-left and left-to-right embeddings, overrides and isolates: they make text read
# differently from how it is stored (a name that shows as "Ann" but sorts as something else).
BIDI_CONTROLS = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
REPLACEMENT_CHARACTER = "\ufffd"
LINE_BREAKS_AND_TABS = {"\t", "\n", "\r"}


@deconstructible
class PlainTextValidator:
    """Text as a person types it: no control characters, direction overrides or U+FFFD.

    Such characters are invisible on screen (or, for U+FFFD, stand for something that was
    lost on the way), so a record would not read as it is stored. Multi-line text keeps
    its tabs and line breaks.
    """

    code = "invisible_characters"

    def __init__(self, *, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        if any(self.refuses(character) for character in value):
            raise ValidationError(
                "Please remove the hidden or unreadable characters (such as control or "
                "text-direction characters) from this answer; they may have come in with "
                "copied text.",
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, PlainTextValidator) and self.multiline == other.multiline

    def refuses(self, character):
        if character in BIDI_CONTROLS or character == REPLACEMENT_CHARACTER:
            return True
        if self.multiline and character in LINE_BREAKS_AND_TABS:
            return False
        return unicodedata.category(character) == "Cc"


validate_plain_text = PlainTextValidator()
validate_plain_multiline_text = PlainTextValidator(multiline=True)
