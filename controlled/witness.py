"""A second member of staff confirms at the same screen with their own password, and with
their second factor when they have one (a witness to a waste, the checker of a delivery,
the second counter of a count).

Their password goes through Django's authenticate(), so wrong guesses count towards that
account's lockout exactly as at the login page (django-axes). The form's fields are named
`witness_password` and `witness_code`, which axes never stores (AXES_SENSITIVE_PARAMETERS).
A locked-out witness is refused in words on the form; the person signed in keeps their page.
"""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django_otp import user_has_device

from clinic.two_factor import CodeRefused, code_verify, two_factor_required
from controlled.reference_data import CUSTODIAN

APP_CODE_LENGTH = 6


def _name(user):
    return user.get_full_name() or user.email


def witness_confirm(request, *, email, password, code=""):
    """The staff member these credentials belong to, who is not the one signed in and
    holds the custodian permission; ValidationError in plain words otherwise."""
    user = authenticate(request, email=(email or "").strip(), password=password or "")
    if getattr(request, "axes_locked_out", False):
        # Axes would answer the whole request with its lockout page: the nurse's page, and
        # what they typed, would be lost for the witness's mistakes.
        request.axes_locked_out = False
        raise ValidationError(
            "This account is locked after repeated wrong passwords. Ask another member of "
            "staff to confirm, or try again in a while.",
            code="locked_out",
        )
    if user is None:
        raise ValidationError(
            "That email and password do not match an active staff account. After repeated "
            "failures the account is locked for a while, as at the login page.",
            code="wrong_password",
        )
    if user.pk == request.user.pk:
        raise ValidationError(
            "The second person must be someone other than you.", code="same_person"
        )
    if not user.has_perm(CUSTODIAN):
        raise ValidationError(
            "%(name)s does not hold the keys (controlled-substance custodian), so cannot "
            "witness or check this.",
            code="not_custodian",
            params={"name": _name(user)},
        )
    code = (code or "").strip()
    if user_has_device(user, confirmed=True):
        try:
            # Six digits are an app's code; anything else can only be a recovery code.
            code_verify(user=user, code=code, recovery=len(code) != APP_CODE_LENGTH)
        except CodeRefused:
            raise ValidationError(
                "The second person's code is wrong or missing: the 6 digits their "
                "authenticator app shows (each is accepted once: wait for the next one), or "
                "one of their recovery codes.",
                code="wrong_code",
            ) from None
    elif two_factor_required():
        raise ValidationError(
            "%(name)s has not set up two-factor login yet, so cannot confirm.",
            code="no_second_factor",
            params={"name": _name(user)},
        )
    return user
