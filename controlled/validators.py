"""The identifiers a controlled-substance record carries: NDCs and DEA registration numbers."""

import re

from django.core.exceptions import ValidationError

NDC_SHAPES = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2})$")
DEA_NUMBER = re.compile(r"^[A-Z][A-Z9][0-9]{7}$")


def validate_ndc(value):
    """A National Drug Code as printed on the package: 4-4-2, 5-3-2, 5-4-1 or 5-4-2 digits."""
    if not NDC_SHAPES.match(value or ""):
        raise ValidationError(
            "Enter the NDC as printed on the package, with its dashes, for example "
            "0409-2051-05 or 50458-028-02.",
            code="ndc",
        )


def dea_check_digit_ok(number):
    digits = [int(d) for d in number[2:]]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    return total % 10 == digits[6]


def validate_dea_number(value):
    """Two letters and seven digits whose last digit checks the others (DEA's own rule)."""
    value = (value or "").upper()
    if not DEA_NUMBER.match(value):
        raise ValidationError(
            "A DEA number is two letters and seven digits, for example AB1234563.",
            code="dea_shape",
        )
    if not dea_check_digit_ok(value):
        raise ValidationError(
            "This DEA number does not check out (its last digit does not match the others). "
            "Copy it again from the invoice or the registration certificate.",
            code="dea_check_digit",
        )
