"""A staff login with both factors, for the tests that are about something else.

`log_in_verified(client, user)` is `client.force_login(user)` plus what the code step
leaves in the session: the device that accepted a code (clinic/two_factor.py). Tests of
the code step itself log in through the pages (tests/clinic/test_two_factor.py).
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_device(user):
    """The staff member's authenticator app (set up if they had none)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Authenticator app"}
    )
    return device


def app_code(device, steps_ahead=0):
    """The code the staff member's app shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def log_in_verified(client, user):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = app_device(user).persistent_id
    session.save()
    return client


def recovery_code(user):
    """A fresh single-use recovery code of the staff member's."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Recovery codes"}
    )
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code
