"""Headless Chromium (Debian's package) driven by Playwright against the live server."""

import os
from pathlib import Path

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.two_factor import app_device

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls (creating fixtures) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package to run these.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    return context, page


@pytest.fixture
def page(browser, live_server, transactional_db):
    context, page = _new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, transactional_db):
    """An iPhone-sized screen (375×812) with touch."""
    context, page = _new_page(
        browser,
        live_server,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()


def log_in(page, user, password=PASSWORD):
    """Log in with the password, then a recovery code (new for each login, so that a test
    can log the same person in twice within one 30-second step of their app)."""
    app_device(user)
    recovery, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery"})
    code = StaticToken.random_token()
    recovery.token_set.create(token=code)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Lost your phone? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def accessibility_violations(page):
    """Serious and critical axe-core findings on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} at {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
        if violation["impact"] in ("serious", "critical")
    ]
