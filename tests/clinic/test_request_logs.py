"""One JSON line per request, with the request id and the user id, no token, no patient."""

import io
import json
import logging
import sys

import pytest
from django.urls import reverse

from clinic.models import LinkPurpose, PatientLink
from tests.factories import PatientFactory
from tests.two_factor import log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the configured console handler writes, as parsed JSON lines."""
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logging.getLogger().removeHandler(handler)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "clinic.request"]


def test_opening_a_patient_link_logs_one_line_without_the_token_or_the_patient(client, log_lines):
    patient = PatientFactory(
        legal_first_name="Zephyrine", legal_last_name="Quackenbush", email="zq@example.com"
    )
    _, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)

    response = client.get(reverse("intake:start", args=[token]))

    assert response.status_code == 302
    (line,) = request_lines(log_lines())
    assert line["method"] == "GET"
    assert line["path"] == "/intake/start/<token>/"
    assert line["status"] == 302
    assert line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    written = json.dumps(log_lines())
    for secret in (token, "Zephyrine", "Quackenbush", "zq@example.com"):
        assert secret not in written


def test_a_staff_request_carries_the_user_id(client, front_desk, log_lines):
    log_in_verified(client, front_desk)

    client.get(reverse("clinic:patient_list"))

    (line,) = request_lines(log_lines())
    assert line["user_id"] == front_desk.pk
    assert line["status"] == 200


def test_a_bad_link_logs_its_not_found_line_without_the_token(client, log_lines):
    response = client.get("/follow-ups/q/not-a-real-token-0123456789/")

    assert response.status_code == 404
    lines = log_lines()
    assert "not-a-real-token" not in json.dumps(lines)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found[0]["message"] == "Not Found: /follow-ups/q/<token>/"
    assert not_found[0]["request_id"] == response["X-Request-ID"]


def test_a_plain_incoming_request_id_is_kept(client, log_lines):
    response = client.get(reverse("login"), headers={"X-Request-ID": "a1b2c3d4e5f6a7b8"})

    assert response["X-Request-ID"] == "a1b2c3d4e5f6a7b8"
    assert request_lines(log_lines())[0]["request_id"] == "a1b2c3d4e5f6a7b8"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 65, 'quote"', "line\nbreak", ""])
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get(reverse("login"), headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_behind_the_proxy_the_client_is_the_last_forwarded_address(rf, settings):
    from clinic.middleware import ProxyClientAddressMiddleware

    settings.BEHIND_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="127.0.0.1")

    ProxyClientAddressMiddleware(lambda r: None)(request)

    assert request.META["REMOTE_ADDR"] == "203.0.113.5"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.5, 10.0.0.2", "203.0.113.5"),  # the balancer's entry, then nginx's
        ("198.51.100.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),  # the client's claim ignored
        ("10.0.0.2", "127.0.0.1"),  # came round the balancer: not trusted
    ],
)
def test_behind_two_proxies_the_client_is_the_entry_the_outer_one_wrote(
    rf, settings, forwarded, client
):
    from clinic.middleware import ProxyClientAddressMiddleware

    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = 2
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")

    ProxyClientAddressMiddleware(lambda r: None)(request)

    assert request.META["REMOTE_ADDR"] == client


@pytest.mark.parametrize(("behind_proxy", "forwarded"), [(False, "203.0.113.5"), (True, "junk")])
def test_the_forwarded_address_is_ignored_when_not_behind_the_proxy_or_not_an_address(
    rf, settings, behind_proxy, forwarded
):
    from clinic.middleware import ProxyClientAddressMiddleware

    settings.BEHIND_PROXY = behind_proxy
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")

    ProxyClientAddressMiddleware(lambda r: None)(request)

    assert request.META["REMOTE_ADDR"] == "127.0.0.1"


def test_an_error_line_names_the_exception_type_but_not_its_message():
    from clinic.logs import JsonLinesFormatter

    email = "zq@" + "example.com"
    try:
        raise ValueError(f"Key (email)=({email}) already exists.")
    except ValueError:
        record = logging.getLogger("test").makeRecord(
            "test", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), None
        )
        record.exc_info = sys.exc_info()

    line = json.loads(JsonLinesFormatter().format(record))

    assert line["error"] == "ValueError"
    assert "test_request_logs.py" in line["traceback"]
    assert "zq@example.com" not in json.dumps(line)


@pytest.mark.parametrize(
    "make_link",
    ["intake_link", "questionnaire_link", "calendar_feed", "reminder_opt_out", "password_reset"],
)
def test_opening_each_kind_of_link_leaves_no_token_in_any_log_line(client, log_lines, make_link):
    from tests.clinic import test_log_redaction

    path, token = getattr(test_log_redaction, make_link)()

    response = client.get(path)

    assert response.status_code < 500
    lines = log_lines()
    assert request_lines(lines), "the request was logged"
    assert token not in json.dumps(lines)
