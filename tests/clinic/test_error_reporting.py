"""Sentry gets the error and where it happened, never a patient's details or a token."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from sentry_sdk.transport import Transport

from clinic.error_reporting import scrub_event, sentry_options

PROJECT = Path(__file__).resolve().parents[2]


@login_not_required
def failing_view(request, token):
    raise RuntimeError("the page broke")


urlpatterns = [path("intake/start/<str:token>/", failing_view)]


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry():
    transport = CapturingTransport()
    sentry_sdk.init(**sentry_options(dsn="https://public@127.0.0.1/1"), transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.django_db
def test_an_error_in_a_page_is_reported_without_personal_data(client, settings, sentry):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.cookies["sessionid"] = "session-cookie-value"

    response = client.post(
        "/intake/start/secret-link-token/?email=zq@example.com",
        {"legal_first_name": "Zephyrine", "date_of_birth": "1980-02-03"},
        headers={
            "User-Agent": "Handset-UA-9000",
            "Referer": "https://x/intake/start/secret-link-token/",
        },
    )

    assert response.status_code == 500
    assert sentry.events
    sent = json.dumps(sentry.events)
    assert "the page broke" in sent
    for secret in (
        "secret-link-token",
        "Zephyrine",
        "1980-02-03",
        "zq@example.com",
        "session-cookie-value",
        "Handset-UA-9000",
    ):
        assert secret not in sent, secret
    assert set(sentry.events[0]["request"]) <= {"method", "url"}
    assert sentry.events[0]["transaction"] == "/intake/start/{token}/"


def test_scrubbing_drops_the_user_cookies_query_string_and_local_variables():
    event = {
        "request": {
            "url": "https://clinic.example.org/follow-ups/q/abc/?x=1",
            "method": "GET",
            "query_string": "x=1",
            "cookies": {"sessionid": "s"},
            "headers": {"Cookie": "sessionid=s"},
            "data": {"name": "Zephyrine"},
            "env": {"REMOTE_ADDR": "203.0.113.5"},
        },
        "user": {"id": 3, "email": "staff@example.org", "ip_address": "203.0.113.5"},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"p": "Zephyrine"}}]}}]
        },
        "breadcrumbs": {
            "values": [{"message": "GET /intake/start/abc/", "data": {"params": ["Zephyrine"]}}]
        },
    }

    scrubbed = scrub_event(event, None)

    assert scrubbed["request"] == {
        "method": "GET",
        "url": "https://clinic.example.org/follow-ups/q/<token>/",
    }
    assert "user" not in scrubbed
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "f"}]
    assert scrubbed["breadcrumbs"]["values"] == [{"message": "GET /intake/start/<token>/"}]


def sentry_state(**environment):
    code = (
        "import django, os, sentry_sdk; os.environ['DJANGO_SETTINGS_MODULE'] = 'clinic.settings';"
        "django.setup(); client = sentry_sdk.get_client(); print(client.is_active());"
        "c = client.options.get('data_collection') or {};"
        "c and print(c['user_info'], c['cookies']['mode'], c['http_bodies'],"
        " c['url_query_params']['mode'], c['stack_frame_variables'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"} | environment
    result = subprocess.run(  # noqa: S603 - a fixed interpreter and fixed code
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_error_reporting_is_off_without_a_dsn():
    assert sentry_state() == ["False"]


def test_error_reporting_is_on_with_a_dsn_and_sends_no_personal_data_by_default():
    state = sentry_state(SENTRY_DSN="https://public@127.0.0.1/1")

    assert state == ["True", "False", "off", "[]", "off", "False"]
