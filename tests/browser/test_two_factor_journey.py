from base64 import b32decode

from django.urls import reverse
from django_otp.oath import TOTP

from clinic.roles import Role
from tests.browser.conftest import PASSWORD, accessibility_violations, screenshot
from tests.factories import PatientFactory, UserFactory
from tests.two_factor import app_device


def code_for(secret, steps_ahead=0):
    """What an authenticator app given the key on the page shows."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time += steps_ahead * 30
    return f"{totp.token():06d}"


def type_password(page, user):
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def test_a_new_staff_member_enrols_logs_out_and_logs_in_with_a_code(page):
    maria = UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)
    alex = PatientFactory(legal_first_name="Alexandra", legal_last_name="Quintero")

    type_password(page, maria)
    page.wait_for_url("**/accounts/two-factor/enrol/**")
    assert page.locator("figure svg").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "two-factor-enrol")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("6-digit code from your authenticator app").fill(code_for(secret))
    page.get_by_label("6-digit code from your authenticator app").press("Enter")

    page.wait_for_url("**/accounts/two-factor/recovery-codes/**")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    assert codes.count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="Maria").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    type_password(page, maria)
    page.wait_for_url("**/accounts/two-factor/?next=*")
    assert accessibility_violations(page) == []
    # The enrolment's code is spent; the app's next one is accepted.
    page.get_by_label("6-digit code from your authenticator app").fill(code_for(secret, 1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    page.goto(reverse("clinic:patient_detail", args=[alex.pk]))
    assert page.get_by_role("heading", name="Alexandra Quintero").is_visible()
    assert page.console_errors == []


def test_a_password_alone_reaches_no_patient_page(page):
    maria = UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)
    app_device(maria)
    alex = PatientFactory(legal_first_name="Alexandra", legal_last_name="Quintero")

    type_password(page, maria)
    page.wait_for_url("**/accounts/two-factor/?next=*")
    page.goto(reverse("clinic:patient_detail", args=[alex.pk]))

    assert "/accounts/two-factor/" in page.url
    assert page.get_by_role("heading", name="Two-factor login").is_visible()
    assert "Quintero" not in page.content()
    page.get_by_label("6-digit code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("That code is not right. Check it and try again.").is_visible()
    assert "Quintero" not in page.content()
    screenshot(page, "two-factor-wrong-code")
