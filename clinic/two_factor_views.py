"""The code step after the password, enrolment, and new recovery codes (clinic/two_factor.py)."""

import math
from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from clinic.forms import AppCodeForm, RecoveryCodeForm
from clinic.ratelimit import rate_count, rate_limited
from clinic.security import local_next_url
from clinic.two_factor import (
    CodeRefused,
    app_device_confirm,
    app_device_for,
    app_device_start,
    code_verify,
    recovery_codes_replace,
    two_factor_exempt,
)

# Wrong codes from one client, whatever the account: a person mistypes a few, a script
# tries thousands.
CODE_LIMIT = 20
CODE_WINDOW_SECONDS = 15 * 60
CODE_SCOPE = "two-factor"
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next", "")
    return local_next_url(request, url) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _credentials(request):
    # What django-axes counts a failure against: this account from this client, the
    # same count as wrong passwords.
    return {"username": request.user.email}


def _stopped(request):
    """The answer that ends this half-finished login (too many tries), or None."""
    if AxesProxyHandler.is_locked(request, _credentials(request)):
        credentials = _credentials(request)
        logout(request)
        return get_lockout_response(request, None, credentials)
    # Only wrong codes count: a clinic's staff share one address, and twenty of them
    # logging in at the start of a shift must not lock each other out.
    if request.method == "POST" and rate_count(request, scope=CODE_SCOPE) >= CODE_LIMIT:
        logout(request)
        return render(request, "registration/locked_out.html", status=429)
    return None


def _refused(request, form, refusal):
    """Explain the refusal on the form, and count it as a failed login; the answer that
    ends the login when that was one too many."""
    if refusal.wait_until:
        seconds = max(1, math.ceil((refusal.wait_until - timezone.now()).total_seconds()))
        form.add_error(
            "code",
            f"Too many wrong codes in a row. Wait {seconds} second{'s' if seconds > 1 else ''}, "
            "then try again.",
        )
    else:
        form.add_error("code", "That code is not right. Check it and try again.")
    rate_limited(request, scope=CODE_SCOPE, limit=CODE_LIMIT, window_seconds=CODE_WINDOW_SECONDS)
    credentials = _credentials(request)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return get_lockout_response(request, None, credentials)
    return None


def _verified(request, device):
    otp_login(request, device)
    # A new session id now that it opens patient records.
    request.session.cycle_key()


@two_factor_exempt
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if app_device_for(request.user) is None:
        return redirect("two_factor_enrol")
    return _code_step(request, AppCodeForm, recovery=False)


@two_factor_exempt
def two_factor_recovery(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if app_device_for(request.user) is None:
        return redirect("two_factor_enrol")
    return _code_step(request, RecoveryCodeForm, recovery=True)


def _code_step(request, form_class, *, recovery):
    if stopped := _stopped(request):
        return stopped
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = code_verify(
                user=request.user, code=form.cleaned_data["code"], recovery=recovery
            )
        except CodeRefused as refusal:
            if ended := _refused(request, form, refusal):
                return ended
        else:
            _verified(request, device)
            if recovery:
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones from "
                    "“Two-factor login” in your menu when you run low.",
                )
            return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "recovery": recovery, "next": request.GET.get("next", "")},
    )


@two_factor_exempt
def two_factor_enrol(request):
    if request.user.is_verified() or app_device_for(request.user) is not None:
        return redirect("two_factor_verify")
    if stopped := _stopped(request):
        return stopped
    device = app_device_start(request.user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = app_device_confirm(device=device, code=form.cleaned_data["code"])
        except CodeRefused as refusal:
            if ended := _refused(request, form, refusal):
                return ended
        else:
            _verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{resolve_url('two_factor_recovery_codes')}?{query}")
    secret = b32encode(device.bin_key).decode()
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        scale=4, light="#fff", title="QR code for your authenticator app"
    )
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            # Drawn here from the device's own URL: nothing in it comes from a visitor.
            "qr_code": mark_safe(qr_code),  # noqa: S308
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


def two_factor_recovery_codes(request):
    """The new recovery codes, shown this once: they are not kept in the session after."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two_factor_settings")
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


def two_factor_settings(request):
    device = app_device_for(request.user)
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(
        request,
        "registration/two_factor_settings.html",
        {"device": device, "recovery_codes_left": left},
    )


@require_POST
def two_factor_recovery_codes_new(request):
    if app_device_for(request.user) is None:
        return redirect("two_factor_settings")  # recovery codes go with an app
    request.session[NEW_CODES_SESSION_KEY] = recovery_codes_replace(user=request.user)
    return redirect("two_factor_recovery_codes")
