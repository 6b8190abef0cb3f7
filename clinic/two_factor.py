"""Two-factor login for staff: after the password, a code from an authenticator app (TOTP)
or one of ten single-use recovery codes (django-otp's TOTP and static devices).

A correct password signs a staff member in, but until a device has accepted a code in this
session (django-otp's OTPMiddleware keeps which one) TwoFactorMiddleware opens no page but
the code step, enrolment and logging out. With STAFF_TWO_FACTOR=optional, staff who have
not enrolled pass with their password alone; those who have are still asked for a code.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


@dataclass
class CodeRefused(Exception):
    """The code was wrong, or came too soon after wrong ones (`wait_until`)."""

    wait_until: datetime | None = None


def two_factor_exempt(view):
    """Mark a view that a staff member who has given only their password may open."""
    view.two_factor_exempt = True
    return view


def two_factor_required():
    return settings.STAFF_TWO_FACTOR == "required"


def two_factor_pending(user):
    """True for a staff member signed in with their password who still owes a code."""
    if not user.is_authenticated or user.is_verified():
        return False
    return two_factor_required() or user_has_device(user)


class TwoFactorMiddleware:
    """Send a staff member who has not given a code this session to the code step (or to
    enrolment, without a device), from every page that needs a login, the admin's too.

    Pages open without a login (the log-in page, patient links) stay open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.two_factor_pending = two_factor_pending(request.user)
        if not request.two_factor_pending:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        step = "two_factor_verify" if user_has_device(request.user) else "two_factor_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def app_device_for(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def app_device_start(user):
    """The authenticator app being set up: kept across reloads, so a code scanned once
    stays good until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def app_device_confirm(*, device, code):
    """Confirm the app with its first code; return the ten new recovery codes."""
    _check(TOTPDevice.objects.filter(pk=device.pk, confirmed=False), code)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        return recovery_codes_replace(user=device.user)


def recovery_codes_replace(*, user):
    """Ten new recovery codes in place of any the staff member had left."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": RECOVERY_DEVICE_NAME}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def code_verify(*, user, code, recovery=False):
    """The device that accepts the code (the app's, or a recovery code, which is then
    used up); raise CodeRefused otherwise.

    django-otp throttles each device: after n wrong codes the next is not even checked
    for 2^(n-1) seconds, whichever client sends it, and a new password login does not
    reset that.
    """
    model = StaticDevice if recovery else TOTPDevice
    return _check(model.objects.filter(user=user, confirmed=True), code)


def _check(devices, code):
    # The throttle's count of failures is saved inside the transaction, so the refusal
    # is raised after it commits.
    with transaction.atomic():
        device = devices.select_for_update().first()
        if device is None:
            raise CodeRefused()
        allowed, details = device.verify_is_allowed()
        accepted = allowed and device.verify_token(code)
    if not allowed:
        raise CodeRefused(wait_until=details.get("locked_until"))
    if not accepted:
        raise CodeRefused()
    return device


def two_factor_reset(*, user, by):
    """Remove a staff member's app and recovery codes (a lost phone): they enrol again at
    their next login, and a session verified with the old app asks for a code again.

    The reset is kept in the staff member's change history, with who did it.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.two_factor_reset_at = timezone.now()
        user._history_user = by
        user._change_reason = "Two-factor login reset"
        user.save(update_fields=["two_factor_reset_at"])
