"""Any text at all in the staff forms: a page or a message, never an error or hidden characters.

The patient forms get the same treatment in tests/intake/test_hypothesis.py.
"""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient, SafetyFlag
from clinic.validators import validate_plain_multiline_text, validate_plain_text

# Any character, with the ones the rules are about mixed in often enough to be met.
HOSTILE_CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\x00", "\x1b", "\x7f", "\u202e", "\u2066", "\ufffd", "\n", "\t"]),
)
ANY_TEXT = st.text(alphabet=HOSTILE_CHARACTERS, max_size=120)
FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAME_FIELDS = ["legal_first_name", "legal_last_name", "preferred_name", "pronouns", "city"]
NEW_PATIENT = {
    "legal_first_name": "Jordan",
    "legal_last_name": "Taylor",
    "date_of_birth": "1993-09-12",
    "phone": "(415) 555-0123",
    "preferred_language": "English",
}


def answered(response):
    """A refused request is a page (a form message, or 400 for a NUL byte); 302 saved it."""
    assert response.status_code in (200, 302, 400), response.status_code
    return response.status_code == 302


@FEW
@given(answers=st.fixed_dictionaries(dict.fromkeys(NAME_FIELDS, ANY_TEXT)))
def test_registering_a_patient_with_any_text(client_for, front_desk, answers):
    before = set(Patient.objects.values_list("pk", flat=True))

    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), {**NEW_PATIENT, **answers, "confirm_not_duplicate": "on"}
    )

    created = Patient.objects.exclude(pk__in=before)
    if not answered(response):
        assert not created.exists()
        return
    patient = created.get()
    for name in NAME_FIELDS:
        validate_plain_text(getattr(patient, name))


@FEW
@given(note=ANY_TEXT)
def test_acknowledging_a_safety_flag_with_any_note(client_for, provider, patient, note):
    flag = SafetyFlag.objects.create(patient=patient, reason="PHQ-9 item 9")

    response = client_for(provider).post(
        reverse("clinic:safety_flag_acknowledge", args=[flag.pk]), {"note": note}
    )

    flag.refresh_from_db()
    if answered(response) and flag.acknowledged_at:
        validate_plain_multiline_text(flag.acknowledgement_note)
    else:
        assert flag.acknowledged_at is None
    flag.delete()
