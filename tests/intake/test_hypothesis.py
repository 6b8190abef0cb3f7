"""Any text at all in the patient forms: a page with a message, never an error.

What is refused stores nothing; what is stored holds no hidden characters.
"""

import time

from django.core import signing
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Clinic, Patient, RateCounter
from clinic.validators import validate_plain_text
from intake.forms.referral import FORM_STARTED_SALT
from tests.intake.steps import VALID

FIELDS = list(VALID["about-you"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=st.fixed_dictionaries({name: st.text(max_size=300) for name in FIELDS}))
def test_about_you_answers_any_text_with_a_page(patient_client, answers):
    response = patient_client.post(reverse("intake:step", args=["about-you"]), answers)

    # 400: a NUL byte, refused before any form sees it (clinic.middleware).
    assert response.status_code in (200, 302, 400)


# Any character, with the ones the plain-text rule is about mixed in often enough to be met.
HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x1b", "\u202e", "\u2067", "\ufffd", "\n", "\t"]),
    ),
    max_size=120,
)
NAMES = ["legal_first_name", "legal_last_name", "preferred_name", "pronouns", "city"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.fixed_dictionaries(dict.fromkeys(NAMES, HOSTILE_TEXT)))
def test_about_you_stores_only_plain_text_and_nothing_when_refused(patient_client, intake, names):
    intake.answers.pop("about-you", None)
    intake.save(update_fields=["answers"])

    response = patient_client.post(
        reverse("intake:step", args=["about-you"]), {**VALID["about-you"], **names}
    )

    assert response.status_code in (200, 302, 400)
    intake.refresh_from_db()
    if response.status_code != 302:
        assert "about-you" not in intake.answers
        return
    for name in NAMES:
        validate_plain_text(intake.answers["about-you"][name])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=HOSTILE_TEXT, last=HOSTILE_TEXT)
def test_self_referral_with_any_name_creates_no_one_when_refused(client, db, first, last):
    clinic = Clinic.load()
    clinic.self_referral_enabled = True
    clinic.save()
    RateCounter.objects.all().delete()  # the referral limit counts per client: every example is one
    before = set(Patient.objects.values_list("pk", flat=True))
    started = signing.dumps(time.time() - 60, salt=FORM_STARTED_SALT)
    data = {
        "legal_first_name": first,
        "legal_last_name": last,
        "date_of_birth": "01/02/1990",
        "phone": "415 555 0123",
        "email": "robin@example.com",
        "website": "",
        "started": started,
    }

    response = client.post(reverse("intake:self_referral"), data)

    assert response.status_code in (200, 302, 400)
    created = Patient.objects.exclude(pk__in=before)
    if response.status_code != 302:
        assert not created.exists()
        return
    patient = created.get()
    validate_plain_text(patient.legal_first_name)
    validate_plain_text(patient.legal_last_name)
