"""Two-factor login (clinic/two_factor.py): the code step, enrolment, recovery codes,
the optional mode, the admin's reset and the limits on guessing."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import two_factor_views
from clinic.models import User
from clinic.two_factor import recovery_codes_replace
from tests.factories import UserFactory
from tests.two_factor import app_code, app_device, log_in_verified

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def log_in_with_password(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def send_code(client, code, next_url=None):
    url = reverse("two_factor_verify") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code})


def send_recovery_code(client, code):
    return client.post(reverse("two_factor_recovery"), {"code": code})


@pytest.fixture
def enrolled(front_desk):
    """Maria, with her authenticator app set up."""
    app_device(front_desk)
    return front_desk


def test_a_password_alone_reaches_no_patient_page(client, enrolled, patient):
    log_in_with_password(client, enrolled)

    response = client.get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify") + "?next=")
    assert patient.legal_last_name not in client.get(response.url).content.decode()


def test_after_the_password_the_login_asks_for_the_code(client, enrolled):
    response = client.get(log_in_with_password(client, enrolled).url, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    page = response.content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert "6-digit code from your authenticator app" in page
    assert "remember" not in page.lower()


def test_the_code_step_offers_no_menu(client, enrolled):
    log_in_with_password(client, enrolled)

    page = client.get(reverse("two_factor_verify")).content.decode()

    assert reverse("clinic:patient_list") not in page
    assert reverse("password_change") not in page


def test_the_right_code_opens_the_pages_in_a_new_session(client, enrolled):
    log_in_with_password(client, enrolled)
    session_before = client.session.session_key

    response = send_code(client, app_code(app_device(enrolled)))

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session.session_key != session_before
    assert client.get(reverse("clinic:patient_list")).status_code == 200


def test_the_code_step_returns_to_the_page_first_asked_for(client, enrolled):
    log_in_with_password(client, enrolled, next_url=reverse("clinic:patient_list"))

    response = send_code(
        client, app_code(app_device(enrolled)), next_url=reverse("clinic:patient_list")
    )

    assert response.url == reverse("clinic:patient_list")


def test_the_code_step_never_sends_anyone_to_another_site(client, enrolled):
    log_in_with_password(client, enrolled)

    response = send_code(client, app_code(app_device(enrolled)), next_url="https://evil.example/")

    assert response.url == reverse("home")


def test_a_wrong_code_is_refused_with_a_plain_message(client, enrolled):
    log_in_with_password(client, enrolled)
    right = app_code(app_device(enrolled))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = send_code(client, wrong)

    assert response.status_code == 200
    assert "That code is not right. Check it and try again." in response.content.decode()
    assert client.get(reverse("clinic:patient_list")).status_code == 302


def test_a_code_in_the_wrong_shape_is_explained(client, enrolled):
    log_in_with_password(client, enrolled)

    response = send_code(client, "12ab")

    assert "The code is 6 digits, like 123 456." in response.content.decode()


def test_spaces_in_a_code_do_not_matter(client, enrolled):
    log_in_with_password(client, enrolled)
    code = app_code(app_device(enrolled))

    response = send_code(client, f"{code[:3]} {code[3:]}")

    assert response.url == reverse("home")


def test_a_code_opens_one_login_only(enrolled):
    code = app_code(app_device(enrolled))
    first, second = Client(), Client()
    log_in_with_password(first, enrolled)
    log_in_with_password(second, enrolled)
    assert send_code(first, code).status_code == 302

    response = send_code(second, code)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()


def test_a_recovery_code_works_once(enrolled):
    (code, *_others) = recovery_codes_replace(user=enrolled)
    first, second = Client(), Client()
    log_in_with_password(first, enrolled)

    response = send_recovery_code(first, code.upper())

    assert response.url == reverse("home")
    assert "9 left" in first.get(reverse("home")).content.decode()
    log_in_with_password(second, enrolled)
    with time_machine.travel(datetime.timedelta(seconds=5)):
        again = send_recovery_code(second, code)
    assert "That code is not right" in again.content.decode()
    assert StaticToken.objects.filter(device__user=enrolled).count() == 9


def test_the_recovery_code_page_explains_its_codes(client, enrolled):
    recovery_codes_replace(user=enrolled)
    log_in_with_password(client, enrolled)

    response = send_recovery_code(client, "not-a-code!")

    assert "A recovery code is 8 letters and digits" in response.content.decode()


def test_without_a_device_the_password_leads_to_enrolment(client, front_desk):
    response = client.get(log_in_with_password(client, front_desk).url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_enrol"))


def test_enrolment_shows_a_qr_code_drawn_on_the_server_and_the_key(client, front_desk):
    log_in_with_password(client, front_desk)

    response = client.get(reverse("two_factor_enrol"))

    page = response.content.decode()
    device = TOTPDevice.objects.get(user=front_desk, confirmed=False)
    assert "<svg" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    assert "<img" not in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert 'autocomplete="one-time-code"' in page
    # A reload keeps the key already scanned.
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.get(user=front_desk).pk == device.pk


def test_enrolment_with_the_right_code_shows_ten_recovery_codes_once(client, front_desk):
    log_in_with_password(client, front_desk)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=front_desk)

    response = client.post(reverse("two_factor_enrol"), {"code": app_code(device)}, follow=True)

    page = response.content.decode()
    codes = StaticToken.objects.filter(device__user=front_desk).values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in page for code in codes)
    assert "shows them only this once" in page
    assert (
        codes[0]
        not in client.get(reverse("two_factor_recovery_codes"), follow=True).content.decode()
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("clinic:patient_list")).status_code == 200


def test_enrolment_with_a_wrong_code_turns_nothing_on(client, front_desk):
    log_in_with_password(client, front_desk)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=front_desk)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_enrol"), {"code": wrong})

    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=front_desk).exists()


def test_someone_enrolled_cannot_enrol_again_with_only_the_password(client, enrolled):
    log_in_with_password(client, enrolled)

    response = client.get(reverse("two_factor_enrol"))

    assert response.url == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=enrolled).count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    old = recovery_codes_replace(user=enrolled)
    log_in_verified(client, enrolled)

    response = client.post(reverse("two_factor_recovery_codes_new"), follow=True)

    new = list(StaticToken.objects.filter(device__user=enrolled).values_list("token", flat=True))
    assert len(new) == 10
    assert not set(old) & set(new)
    assert all(code in response.content.decode() for code in new)


def test_the_admin_site_is_behind_the_same_check(client, clinic_admin):
    app_device(clinic_admin)
    client.post(reverse("admin:login"), {"username": clinic_admin.email, "password": PASSWORD})

    response = client.get(reverse("admin:clinic_patient_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))


def test_the_optional_mode_lets_staff_without_a_device_in(settings, client, front_desk):
    settings.STAFF_TWO_FACTOR = "optional"
    log_in_with_password(client, front_desk)

    response = client.get(reverse("clinic:patient_list"))

    assert response.status_code == 200


def test_the_optional_mode_still_asks_those_who_set_it_up(settings, client, enrolled):
    settings.STAFF_TWO_FACTOR = "optional"
    log_in_with_password(client, enrolled)

    response = client.get(reverse("clinic:patient_list"))

    assert response.url.startswith(reverse("two_factor_verify"))


def reset_from_the_admin(client, staff_member):
    return client.post(
        reverse("admin:clinic_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [staff_member.pk]},
        follow=True,
    )


def test_a_clinic_admin_resets_a_staff_members_devices_and_it_is_audited(
    client, clinic_admin, enrolled
):
    recovery_codes_replace(user=enrolled)
    log_in_verified(client, clinic_admin)

    response = reset_from_the_admin(client, enrolled)

    assert "Two-factor login reset for 1 staff member" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not StaticDevice.objects.filter(user=enrolled).exists()
    enrolled.refresh_from_db()
    assert enrolled.two_factor_reset_at is not None
    record = enrolled.history.first()
    assert record.history_user == clinic_admin
    assert record.history_change_reason == "Two-factor login reset"


def test_after_a_reset_a_verified_session_is_asked_again(client, clinic_admin, enrolled):
    staff_client = log_in_verified(Client(), enrolled)
    log_in_verified(client, clinic_admin)

    reset_from_the_admin(client, enrolled)

    response = staff_client.get(reverse("clinic:patient_list"))
    assert response.url.startswith(reverse("two_factor_enrol"))


def test_the_reset_is_shown_in_the_staff_members_history(client, clinic_admin, enrolled):
    log_in_verified(client, clinic_admin)
    reset_from_the_admin(client, enrolled)

    response = client.get(reverse("admin:clinic_user_history", args=[enrolled.pk]))

    assert "Two-factor login reset" in response.content.decode()


def test_a_code_right_after_a_wrong_one_waits(client, enrolled):
    device = app_device(enrolled)
    log_in_with_password(client, enrolled)
    send_code(client, f"{(int(app_code(device)) + 1) % 1_000_000:06d}")

    response = send_code(client, app_code(device))

    assert "Too many wrong codes in a row. Wait 1 second, then try again." in (
        response.content.decode()
    )
    with time_machine.travel(datetime.timedelta(seconds=2)):
        assert send_code(client, app_code(device)).url == reverse("home")


def test_wrong_codes_lock_the_account_from_that_client_like_wrong_passwords(client, enrolled):
    log_in_with_password(client, enrolled)
    for _ in range(4):
        send_code(client, "000000")

    response = send_code(client, "000000")

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert SESSION_KEY not in client.session
    again = client.post(reverse("login"), {"username": enrolled.email, "password": PASSWORD})
    assert again.status_code == 429


def test_a_failed_attempt_keeps_no_code_that_was_typed(client, enrolled):
    from axes.models import AccessAttempt

    log_in_with_password(client, enrolled)
    send_code(client, "271828")

    kept = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert kept  # the failure was recorded
    assert "271828" not in kept


def test_the_code_step_is_rate_limited_per_client(monkeypatch, client, enrolled):
    monkeypatch.setattr(two_factor_views, "CODE_LIMIT", 2)
    log_in_with_password(client, enrolled)
    send_code(client, "000000")
    with time_machine.travel(datetime.timedelta(seconds=2)):
        send_code(client, "000000")

    with time_machine.travel(datetime.timedelta(seconds=10)):
        response = send_code(client, app_code(app_device(enrolled)))

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_right_codes_from_one_office_never_count_towards_the_limit(monkeypatch, db):
    """A clinic's staff share one address: a shift's logins must not lock each other out."""
    monkeypatch.setattr(two_factor_views, "CODE_LIMIT", 2)
    for number in range(4):
        person = UserFactory(role="Nurse")
        device = app_device(person)
        client = Client()
        log_in_with_password(client, person)
        with time_machine.travel(datetime.timedelta(minutes=number)):
            response = send_code(client, app_code(device))
        assert response.status_code == 302, number


def test_the_demo_accounts_come_enrolled_and_log_in_with_the_printed_code(settings, client):
    settings.DEBUG = True
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    line = next(row for row in output.getvalue().splitlines() if "nurse@demo.clinic" in row)
    code = line.split()[-1]
    nurse = User.objects.get(email="nurse@demo.clinic")
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    client.post(reverse("login"), {"username": nurse.email, "password": "demo-nurse-pass-1"})
    assert send_recovery_code(client, code).url == reverse("home")
    assert client.get(reverse("clinic:patient_list")).status_code == 200


def test_each_demo_run_prints_an_unused_code(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    StaticToken.objects.filter(device__user__email="nurse@demo.clinic").first().delete()
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    line = next(row for row in output.getvalue().splitlines() if "nurse@demo.clinic" in row)
    assert StaticToken.objects.filter(
        device__user__email="nurse@demo.clinic", token=line.split()[-1]
    ).exists()
    assert TOTPDevice.objects.filter(user__email="nurse@demo.clinic").count() == 1


def test_the_deployment_check_mentions_the_optional_mode(settings):
    from clinic.checks import two_factor_is_required

    assert two_factor_is_required(None) == []
    settings.STAFF_TWO_FACTOR = "optional"
    assert [message.id for message in two_factor_is_required(None)] == ["clinic.I001"]


def test_a_clinic_admin_cannot_reset_a_superusers_login(client, clinic_admin):
    superuser = User.objects.create_superuser("root@clinic.test", PASSWORD)
    app_device(superuser)
    log_in_verified(client, clinic_admin)

    response = reset_from_the_admin(client, superuser)

    assert "Two-factor login reset for 0 staff member" in response.content.decode()
    assert TOTPDevice.objects.filter(user=superuser).exists()


@pytest.mark.parametrize("next_url", ["abc", "Ann\u202eevil", "a\nb", "/a\nb", "//evil.example"])
@pytest.mark.parametrize("step", ["two_factor_verify", "two_factor_recovery"])
def test_a_strange_next_address_goes_home_instead_of_failing(client, enrolled, step, next_url):
    log_in_verified(client, enrolled)

    response = client.get(reverse(step), {"next": next_url})

    assert response.status_code == 302
    assert response.url == "/"
