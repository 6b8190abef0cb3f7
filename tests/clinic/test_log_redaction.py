"""Link tokens never reach a log line: every kind of link, and the URL conf walked for more."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.log_redaction import redact_link_tokens
from clinic.models import LinkPurpose, PatientLink
from followups.preferences import opt_out_token
from scheduling.models import CalendarFeed
from tests.factories import PatientFactory, UserFactory
from tests.urls import named_url_patterns

pytestmark = pytest.mark.django_db


def intake_link():
    _, token = PatientLink.issue(patient=PatientFactory(), purpose=LinkPurpose.INTAKE)
    return reverse("intake:start", args=[token]), token


def questionnaire_link():
    _, token = PatientLink.issue(patient=PatientFactory(), purpose=LinkPurpose.QUESTIONNAIRE)
    return reverse("followups:questionnaire_start", args=[token]), token


def calendar_feed():
    feed = CalendarFeed.objects.create(clinician=UserFactory())
    return feed.get_absolute_url(), feed.token


def reminder_opt_out():
    token = opt_out_token(PatientFactory())
    return reverse("followups:reminders_opt_out", args=[token]), token


def password_reset():
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", args=[uid, token]), token


@pytest.mark.parametrize(
    ("make_link", "redacted"),
    [
        (intake_link, "/intake/start/<token>/"),
        (questionnaire_link, "/follow-ups/q/<token>/"),
        (calendar_feed, "/scheduling/feeds/<token>.ics"),
        (reminder_opt_out, "/follow-ups/reminders/stop/<token>/"),
    ],
)
def test_each_kind_of_patient_and_feed_link_loses_its_token(make_link, redacted):
    path, token = make_link()

    assert redact_link_tokens(path) == redacted


def test_a_password_reset_link_loses_its_token_and_keeps_the_account_id():
    path, token = password_reset()
    uid = path.split("/")[4]

    assert redact_link_tokens(path) == f"/accounts/password/reset/{uid}/<token>/"


def test_every_route_with_a_token_in_the_url_conf_is_redacted():
    token = "tok3n-That-Must-Not-Be-Logged_0123456789"
    routes = [
        (name, pattern)
        for name, pattern in named_url_patterns()
        if "token" in pattern.pattern.regex.groupindex
    ]
    assert len(routes) == 5  # intake, questionnaire, calendar feed, opt-out, password reset

    for name, pattern in routes:
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "MQ") | {"token": token}
        path = reverse(name, kwargs=kwargs)

        assert token not in redact_link_tokens(path), name
        assert "<token>" in redact_link_tokens(path), name


@pytest.mark.parametrize(
    ("path", "redacted"),
    [
        ("/intake/start/abc123", "/intake/start/<token>"),  # before the slash is added
        ("/intake/start/abc123/more/", "/intake/start/<token>/more/"),
        ("/scheduling/feeds/abc123", "/scheduling/feeds/<token>"),
        ("/follow-ups/q/abc123/?utm=1", "/follow-ups/q/<token>/?utm=1"),
        ("https://clinic.example.org/intake/start/abc123/", "https://clinic.example.org/intake/start/<token>/"),
        # Forms the app reads as the same link: percent-escapes, doubled slashes.
        ("/intake/st%61rt/abc123/", "/intake/start/<token>/"),
        ("//intake/start/abc123/", "/intake/start/<token>/"),
        ("/intake//start/abc%31%32%33/", "/intake/start/<token>/"),
    ],
)  # fmt: skip
def test_a_path_that_only_starts_like_a_link_still_loses_its_token(path, redacted):
    assert redact_link_tokens(path) == redacted


@pytest.mark.parametrize(
    "path",
    ["/patients/12/", "/accounts/password/reset/sent/", "/intake/form/about-you/", "/healthz"],
)
def test_a_path_without_a_token_is_left_as_it_is(path):
    assert redact_link_tokens(path) == path
