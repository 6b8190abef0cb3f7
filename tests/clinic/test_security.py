import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from tests.databases import other_process_database_env
from tests.factories import UserFactory
from tests.two_factor import log_in_verified

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff_member():
    return UserFactory(email="maria@clinic.test")


def log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_staff_log_in_with_their_email_address(client, staff_member):
    response = log_in(client, "maria@clinic.test", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_is_explained_without_saying_which_part_was_wrong(client, staff_member):
    response = log_in(client, "maria@clinic.test", "wrong password")

    assert response.status_code == 200
    assert b"do not match an active staff account" in response.content


def test_repeated_failures_lock_the_account_from_that_client(client, staff_member):
    for _ in range(5):
        log_in(client, "maria@clinic.test", "wrong password")

    response = log_in(client, "maria@clinic.test", PASSWORD)

    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_other_accounts(client, staff_member):
    UserFactory(email="daniel@clinic.test")
    for _ in range(5):
        log_in(client, "maria@clinic.test", "wrong password")

    response = log_in(client, "daniel@clinic.test", PASSWORD)

    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, staff_member):
    for _ in range(5):
        log_in(client, "maria@clinic.test", "wrong password")

    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = log_in(client, "maria@clinic.test", PASSWORD)

    assert response.status_code == 302


def test_tries_during_a_lockout_do_not_extend_it(client, staff_member):
    for _ in range(5):
        log_in(client, "maria@clinic.test", "wrong password")
    for minutes in (5, 10, 14):  # an attacker keeps trying through the cool-off
        with time_machine.travel(datetime.timedelta(minutes=minutes)):
            assert log_in(client, "maria@clinic.test", "wrong password").status_code == 429

    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = log_in(client, "maria@clinic.test", PASSWORD)

    assert response.status_code == 302


def test_failures_from_another_client_do_not_lock_the_account_here(staff_member):
    from django.test import Client

    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        log_in(attacker, "maria@clinic.test", "wrong password")
    assert log_in(attacker, "maria@clinic.test", PASSWORD).status_code == 429

    response = log_in(Client(REMOTE_ADDR="198.51.100.20"), "maria@clinic.test", PASSWORD)

    assert response.status_code == 302


def test_a_session_ends_after_thirty_idle_minutes(client, staff_member):
    log_in_verified(client, staff_member)
    assert client.get(reverse("home")).status_code == 200

    with time_machine.travel(datetime.timedelta(minutes=31)):
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_activity_keeps_a_session_alive(client, staff_member):
    log_in_verified(client, staff_member)
    with time_machine.travel(datetime.timedelta(minutes=20)):
        client.get(reverse("home"))

    with time_machine.travel(datetime.timedelta(minutes=40)):
        response = client.get(reverse("home"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Short1!", b"at least 12 characters"),
        ("password1234", b"too common"),
        ("123456789012345", b"entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(client, staff_member, new_password, message):
    log_in_verified(client, staff_member)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 200
    assert message in response.content


def test_a_password_reset_email_is_sent_to_a_staff_address(client, staff_member, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "maria@clinic.test"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_every_response_carries_the_security_headers(client):
    response = client.get(reverse("login"))

    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def cache_directives(response):
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def test_the_login_page_is_not_kept_by_the_browser(client):
    response = client.get(reverse("login"))

    assert {"no-store", "private"} <= cache_directives(response)


def test_a_patient_link_page_is_not_kept_by_the_browser(client, patient):
    from clinic.models import LinkPurpose, PatientLink

    _link, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)
    client.get(reverse("intake:start", args=[token]))

    response = client.get(reverse("intake:welcome"))

    assert response.status_code == 200
    assert {"no-store", "private"} <= cache_directives(response)


def test_a_refused_request_is_not_kept_by_the_browser(client):
    response = client.get(reverse("login"), {"next": "\x00"})

    assert response.status_code == 400
    assert {"no-store", "private"} <= cache_directives(response)


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/clinic.css")

    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)


def run_python(code, **env):
    # A clean environment: no test secret, and not the browser tests' async override.
    unwanted = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in unwanted}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - a fixed interpreter and fixed code
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_the_app_refuses_to_start_without_a_secret_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'clinic.settings'; "
        "django.setup()",
        DEBUG="0",
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_python(
        "import os; os.environ.pop('DEBUG', None); os.environ.pop('HTTPS', None); "
        "os.environ['SECRET_KEY'] = 'x' * 60; import clinic.settings as s; print(s.DEBUG, s.HTTPS)"
    )

    assert result.stdout.strip() == "False True"


def test_the_deployment_checklist_passes_with_production_settings(django_db_setup):
    # The model checks ask the database what it supports (the generated column), so the
    # check runs against the test database, as it runs against the real one in production.
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DEBUG="0",
        HTTPS="1",
        STATIC_MANIFEST="1",
        SECRET_KEY="a-long-random-production-secret-" + "k7Qz" * 10,
        ALLOWED_HOSTS="clinic.example.org",
        **other_process_database_env(),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_email_address_is_not_case_sensitive(client, staff_member):
    response = log_in(client, "Maria@Clinic.test", PASSWORD)

    assert response.status_code == 302


def test_failures_in_any_letter_case_count_towards_one_lockout(client, staff_member):
    for email in ["maria@clinic.test", "MARIA@clinic.test", "Maria@Clinic.Test"] * 2:
        log_in(client, email, "wrong password")

    assert log_in(client, "maria@clinic.test", PASSWORD).status_code == 429
