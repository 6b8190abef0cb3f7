"""Any text at all in any answer of the first step: a page with a message, never an error."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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

    assert response.status_code in (200, 302)
