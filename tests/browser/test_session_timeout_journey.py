"""Maria is warned before her idle session ends, stays signed in, and loses nothing typed
after it has ended (WCAG 2.2.1). The timeout is six seconds here, the warning three."""

import time

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from clinic.models import Patient
from intake import services
from tests.browser.conftest import PASSWORD, accessibility_violations, log_in, screenshot
from tests.factories import PatientFactory, UserFactory
from tests.two_factor import app_device

TIMEOUT_SECONDS = 6
NOTICE = "We kept what you typed before you were signed out. Check it and save again."
NEW_PATIENT = reverse("clinic:patient_create")


def log_in_again(page, user):
    """Log in from the login page the browser was sent to, keeping where it was going."""
    app_device(user)
    recovery, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery"})
    code = StaticToken.random_token()
    recovery.token_set.create(token=code)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Lost your phone? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(code)
    page.get_by_role("button", name="Continue").click()


def wait_for_sign_out(page):
    """Until the warning has come and gone: the session has then run out."""
    warning = page.get_by_role("alertdialog")
    warning.wait_for(state="visible", timeout=TIMEOUT_SECONDS * 1000)
    warning.wait_for(state="hidden", timeout=TIMEOUT_SECONDS * 1000)


def type_a_patient_after_the_session_ended(page):
    page.goto(NEW_PATIENT)
    wait_for_sign_out(page)
    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_label("Legal last name").fill("Rivera")
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_url(lambda url: url.endswith(f"/accounts/login/?next={NEW_PATIENT}"))


def test_the_warning_lets_staff_stay_signed_in(page, front_desk, settings):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    log_in(page, front_desk)
    page.goto(NEW_PATIENT)
    loaded = time.monotonic()

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    warning.wait_for(state="visible", timeout=TIMEOUT_SECONDS * 1000)
    assert warning.get_by_text("You will be signed out in 3 seconds").is_visible()
    stay = warning.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("button => button === document.activeElement")
    page.keyboard.press("Tab")
    assert warning.get_by_role("button", name="Sign out now").evaluate(
        "button => button === document.activeElement"
    )
    page.keyboard.press("Tab")
    assert stay.evaluate("button => button === document.activeElement")
    page.keyboard.press("Escape")
    assert warning.is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "session-timeout-warning")
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden")

    # Past the end of the session as the page first had it: still signed in.
    page.wait_for_timeout(max(0, (loaded + TIMEOUT_SECONDS + 0.5 - time.monotonic()) * 1000))
    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_role("button", name="Register patient").click()
    assert "/accounts/login/" not in page.url
    assert page.get_by_label("Legal first name").input_value() == "Jordan"  # errors shown
    assert page.console_errors == []


def test_what_was_typed_after_the_session_ended_comes_back_after_logging_in(
    page, front_desk, settings
):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    log_in(page, front_desk)

    type_a_patient_after_the_session_ended(page)
    settings.SESSION_COOKIE_AGE = 30 * 60  # time enough to look at the page
    log_in_again(page, front_desk)

    page.wait_for_url(f"**{NEW_PATIENT}")
    page.get_by_role("status").filter(has_text=NOTICE).wait_for()
    assert page.get_by_label("Legal first name").input_value() == "Jordan"
    assert page.get_by_label("Legal last name").input_value() == "Rivera"
    assert page.evaluate("Object.keys(sessionStorage)") == []  # the draft is used up
    assert accessibility_violations(page) == []
    screenshot(page, "session-timeout-draft-restored")
    assert not Patient.objects.filter(legal_first_name="Jordan").exists()
    assert page.console_errors == []


def test_a_draft_is_never_shown_to_someone_else(page, front_desk, settings):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    log_in(page, front_desk)
    type_a_patient_after_the_session_ended(page)
    settings.SESSION_COOKIE_AGE = 30 * 60
    colleague = UserFactory(email="lee@clinic.test", role="Front desk")

    log_in_again(page, colleague)

    page.wait_for_url(f"**{NEW_PATIENT}")
    assert page.get_by_label("Legal first name").input_value() == ""
    assert page.get_by_text(NOTICE).count() == 0
    assert page.evaluate("Object.keys(sessionStorage)") == []


def test_a_patient_is_warned_with_their_own_words(phone_page, settings):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    _link, token = services.intake_link_issue(patient=PatientFactory())
    phone_page.goto(reverse("intake:start", args=[token]))

    warning = phone_page.get_by_role("alertdialog", name="Are you still there?")
    warning.wait_for(state="visible", timeout=TIMEOUT_SECONDS * 1000)
    assert warning.get_by_text("to protect your answers. Stay signed in?").is_visible()
    assert warning.get_by_role("button").count() == 1
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert accessibility_violations(phone_page) == []
    screenshot(phone_page, "session-timeout-warning-phone")
    warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    assert phone_page.console_errors == []


def test_a_patient_finds_their_answer_again_after_opening_their_link_again(phone_page, settings):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    _link, token = services.intake_link_issue(patient=PatientFactory())
    phone_page.goto(reverse("intake:start", args=[token]))
    phone_page.get_by_role("link", name="Start").click()
    step = phone_page.url

    wait_for_sign_out(phone_page)
    phone_page.get_by_label("Street address").fill("1 Main Street")
    phone_page.get_by_role("button", name="Save and continue").click()
    phone_page.wait_for_load_state()
    assert phone_page.url == step  # the "link unavailable" page, at the same address
    assert phone_page.get_by_label("Street address").count() == 0
    phone_page.console_errors.clear()  # that page's own 404
    settings.SESSION_COOKIE_AGE = 30 * 60

    phone_page.goto(reverse("intake:start", args=[token]))
    phone_page.get_by_role("link", name="Start").click()

    phone_page.get_by_role("status").filter(has_text=NOTICE).wait_for()
    assert phone_page.get_by_label("Street address").input_value() == "1 Main Street"
    assert accessibility_violations(phone_page) == []
    assert phone_page.console_errors == []
