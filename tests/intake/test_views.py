"""The patient's pages: the link, each step, review and submission."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.models import LinkPurpose, PatientLink, PatientStatus, SafetyFlag
from intake import services
from intake.models import ConsentSignature, IntakeStatus
from intake.questions import STEP_SLUGS
from tests.factories import PatientFactory
from tests.intake.factories import answered_intake, phq9_answers
from tests.intake.steps import TEXT_FIELDS, VALID

ANSWER_AND_CONSENT_STEPS = [slug for slug in STEP_SLUGS if slug != "review"]


def step_url(slug):
    return reverse("intake:step", args=[slug])


def fill_all_steps(client):
    for slug in ANSWER_AND_CONSENT_STEPS:
        response = client.post(step_url(slug), VALID[slug])
        assert response.status_code == 302, (
            slug,
            response.context and response.context["form"].errors,
        )


# The link


def test_opening_the_link_swaps_the_token_for_a_session(client, token):
    response = client.get(reverse("intake:start", args=[token]))

    assert response.status_code == 302
    assert response.url == reverse("intake:welcome")
    assert token not in response.url


def test_the_welcome_page_says_how_long_it_takes_and_that_answers_save(patient_client, patient):
    response = patient_client.get(reverse("intake:welcome"))

    content = response.content.decode()
    assert f"Hello {patient.legal_first_name}" in content
    assert "about 20 minutes" in content
    assert "saved each time you continue" in content
    listed = len(response.context["steps"])
    assert f"The form has {listed} short steps, then a last look at your answers" in content
    assert content.count('class="list-group-item') == listed


def test_opening_the_link_marks_the_patient_as_intake_in_progress(patient_client, patient):
    patient.refresh_from_db()

    assert patient.status == PatientStatus.INTAKE_IN_PROGRESS


def unavailable(client, token):
    response = client.get(reverse("intake:start", args=[token]))
    return response.status_code, response.content


def test_unknown_expired_and_revoked_links_show_the_same_page(client, intake):
    _link, expired = services.intake_link_issue(patient=PatientFactory())
    revoked_link, revoked = services.intake_link_issue(patient=PatientFactory())
    revoked_link.revoke()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        expired_page = unavailable(client, expired)
    pages = {unavailable(client, "no-such-token"), expired_page, unavailable(client, revoked)}

    assert len(pages) == 1
    status, content = pages.pop()
    assert status == 404
    assert b"This link does not work" in content


def test_a_link_revoked_while_the_patient_is_filling_in_stops_working(patient_client, patient):
    PatientLink.objects.get(patient=patient).revoke()

    response = patient_client.get(step_url("about-you"))

    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_a_link_opens_only_its_own_patients_intake(client, patient_client, patient):
    other = PatientFactory(legal_first_name="Zebedee")
    _link, other_token = services.intake_link_issue(patient=other)

    client.get(reverse("intake:start", args=[other_token]))
    response = client.get(reverse("intake:welcome"))

    assert b"Hello Zebedee" in response.content
    assert f"Hello {patient.legal_first_name}".encode() not in response.content


def test_a_questionnaire_link_does_not_open_the_intake(client, intake):
    _link, token = PatientLink.issue(patient=intake.patient, purpose=LinkPurpose.QUESTIONNAIRE)

    response = client.get(reverse("intake:start", args=[token]))

    assert response.status_code == 404


def test_opening_links_too_often_is_refused(client, db):
    for _ in range(30):
        client.get(reverse("intake:start", args=["guess"]))

    response = client.get(reverse("intake:start", args=["guess"]))

    assert response.status_code == 429


def test_a_link_used_again_after_submission_shows_the_answers_read_only(client, db):
    intake = answered_intake()
    _link, token = services.intake_link_issue(patient=intake.patient)
    services.intake_submit(intake=intake)
    client.get(reverse("intake:start", args=[token]))

    response = client.post(step_url("about-you"), {**VALID["about-you"], "city": "Changed"})

    assert response.status_code == 302
    assert response.url == step_url("review")
    intake.refresh_from_db()
    assert intake.answers["about-you"]["city"] == "Oakland"
    review = client.get(step_url("review"))
    assert b"Your answers" in review.content
    assert b"Submit my form" not in review.content


# The steps


@pytest.mark.parametrize("slug", STEP_SLUGS)
def test_each_step_shows_its_place_in_the_form(patient_client, slug):
    response = patient_client.get(step_url(slug))

    assert response.status_code == 200
    number = STEP_SLUGS.index(slug) + 1
    assert f"Step {number} of 9".encode() in response.content


@pytest.mark.parametrize("slug", ANSWER_AND_CONSENT_STEPS)
def test_each_step_saves_its_answers_and_moves_on(patient_client, intake, slug):
    response = patient_client.post(step_url(slug), VALID[slug])

    assert response.status_code == 302
    assert response.url == step_url(STEP_SLUGS[STEP_SLUGS.index(slug) + 1])
    intake.refresh_from_db()
    assert slug in intake.completed_steps()


def test_about_you_is_prefilled_from_the_patient_record(patient_client, patient):
    response = patient_client.get(step_url("about-you"))

    assert f'value="{patient.legal_last_name}"'.encode() in response.content


def test_a_phone_can_fill_in_the_patients_own_details(patient_client, intake):
    response = patient_client.get(step_url("about-you"))

    inputs = {
        re.search(r'name="([^"]+)"', tag).group(1): tag
        for tag in re.findall(r"<input[^>]*>", response.content.decode())
        if 'name="' in tag
    }
    for name, autocomplete in {
        "legal_first_name": "given-name",
        "legal_last_name": "family-name",
        "preferred_name": "nickname",
        "date_of_birth": "bday",
        "phone": "tel",
        "email": "email",
        "address_line1": "address-line1",
        "address_line2": "address-line2",
        "city": "address-level2",
        "state": "address-level1",
        "postal_code": "postal-code",
    }.items():
        assert f'autocomplete="{autocomplete}"' in inputs[name], name


def test_a_mistake_in_the_date_of_birth_keeps_every_other_answer(patient_client, intake):
    data = {**VALID["about-you"], "date_of_birth": "02/30/1988", "city": "Emeryville"}

    response = patient_client.post(step_url("about-you"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Please enter a real date as MM/DD/YYYY" in content
    assert 'value="Emeryville"' in content
    assert 'value="02/30/1988"' in content


def test_a_step_sent_blank_says_what_is_missing(patient_client, intake):
    response = patient_client.post(step_url("medical"), {})

    assert response.status_code == 200
    assert b"Please answer this question." in response.content
    intake.refresh_from_db()
    assert "medical" not in intake.answers


def test_height_and_weight_in_us_units_are_stored_in_metric_for_dosing(patient_client, intake):
    patient_client.post(step_url("medical"), VALID["medical"])

    intake.refresh_from_db()
    assert intake.answers["medical"]["height_cm"] == "177.8"
    assert intake.answers["medical"]["weight_kg"] == "77.1"


def test_medication_rows_keep_only_the_filled_ones(patient_client, intake):
    patient_client.post(step_url("medications"), VALID["medications"])

    intake.refresh_from_db()
    assert [row["name"] for row in intake.answers["medications"]["trials"]] == [
        "Fluoxetine",
        "Escitalopram",
    ]


@pytest.mark.parametrize("row_count", ["-1", "0"])
def test_a_tampered_row_count_does_not_erase_saved_rows(patient_client, intake, row_count):
    patient_client.post(step_url("medications"), VALID["medications"])
    tampered = {**VALID["medications"], "trials-TOTAL_FORMS": row_count}

    response = patient_client.post(step_url("medications"), tampered)

    assert response.status_code == 200
    assert b"Please reload it" in response.content
    intake.refresh_from_db()
    assert len(intake.answers["medications"]["trials"]) == 2


def test_the_consent_signature_must_include_the_last_name(patient_client, intake):
    response = patient_client.post(step_url("consent"), {"signed_name": "Jane Doe", "agree": "on"})

    assert response.status_code == 200
    assert b"including your last name" in response.content
    assert not ConsentSignature.objects.filter(intake=intake).exists()


def test_the_consent_signature_ignores_accents_and_case(patient_client, intake):
    response = patient_client.post(
        step_url("consent"), {"signed_name": "alex MORGÁN", "agree": "on"}
    )

    assert response.status_code == 302


def test_hidden_characters_in_a_signature_are_refused(patient_client, intake):
    response = patient_client.post(
        step_url("consent"), {"signed_name": "Alex \u202eMorgan", "agree": "on"}
    )

    assert response.status_code == 200
    assert b"Please remove the hidden or unreadable characters" in response.content


def test_zero_width_characters_in_a_signature_are_refused(patient_client, intake):
    response = patient_client.post(
        step_url("consent"), {"signed_name": "Alex Mor\u200bgan", "agree": "on"}
    )

    assert response.status_code == 200
    assert b"letters only" in response.content


def test_adding_rows_saves_and_stays_on_the_step(patient_client, intake):
    response = patient_client.post(
        step_url("medications"), {**VALID["medications"], "add_rows": "1"}
    )

    assert response.url == step_url("medications")
    page = patient_client.get(step_url("medications")).content.decode()
    assert 'value="Sertraline"' in page
    assert 'name="medications-2-name"' in page


def test_the_optional_questions_are_marked(patient_client):
    response = patient_client.get(step_url("about-you"))

    assert b"Name you like to be called (optional)" in response.content


def test_answering_item_9_above_zero_raises_a_flag_at_once(patient_client, patient):
    data = {**VALID["phq9"], "item_9": "1"}

    patient_client.post(step_url("phq9"), data)

    assert SafetyFlag.objects.open().filter(patient=patient).count() == 1


def test_the_step_after_a_self_harm_answer_shows_crisis_resources(patient_client):
    patient_client.post(step_url("phq9"), {**VALID["phq9"], "item_9": "2"})

    response = patient_client.get(step_url("gad7"))

    assert b"988" in response.content
    assert b"911" in response.content


# Hostile input: never a server error, on any step.

HOSTILE = [
    "x" * 100_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE clinic_patient; --",
    "Zoë 山田 🙂 مرحبا \u202e",
    "\x00",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "02/31/2024",
    "0000-00-00",
    "",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("slug", ANSWER_AND_CONSENT_STEPS)
def test_hostile_input_never_breaks_a_step(patient_client, intake, slug, value):
    data = dict(VALID[slug])
    for name in TEXT_FIELDS[slug]:
        data[name] = value

    response = patient_client.post(step_url(slug), data)

    # A NUL byte is refused before any form sees it (clinic.middleware).
    assert response.status_code in ((400,) if "\x00" in value else (200, 302))


def test_script_tags_are_shown_as_text_not_run(patient_client, intake):
    data = {**VALID["about-you"], "preferred_name": "<script>alert(1)</script>"}
    patient_client.post(step_url("about-you"), data)

    response = patient_client.get(step_url("review"))

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


# Consent, review and submission


def test_the_consent_stores_version_name_time_address_and_browser(patient_client, intake):
    patient_client.post(step_url("consent"), VALID["consent"], HTTP_USER_AGENT="PhoneBrowser/1.0")

    signature = intake.consent
    assert signature.document.version == 1
    assert signature.signed_name == "Alex Morgan"
    assert signature.ip_address == "127.0.0.1"
    assert signature.user_agent == "PhoneBrowser/1.0"


def test_a_signed_consent_cannot_be_changed(patient_client, intake):
    patient_client.post(step_url("consent"), VALID["consent"])

    patient_client.post(step_url("consent"), {"signed_name": "Someone Else", "agree": "on"})

    intake.consent.refresh_from_db()
    assert intake.consent.signed_name == "Alex Morgan"


def test_the_review_lists_every_answer_with_an_edit_link_per_section(patient_client):
    fill_all_steps(patient_client)

    response = patient_client.get(step_url("review"))

    content = response.content.decode()
    assert "Sertraline" in content
    assert content.count(">Edit<") == 7


def test_an_incomplete_form_cannot_be_submitted(patient_client, intake):
    patient_client.post(step_url("about-you"), VALID["about-you"])

    response = patient_client.post(step_url("review"))

    assert response.status_code == 200
    assert b"Please finish these parts first" in response.content
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.IN_PROGRESS


def test_submitting_sends_the_form_for_review(patient_client, intake):
    fill_all_steps(patient_client)

    response = patient_client.post(step_url("review"))

    assert response.url == reverse("intake:done")
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.patient.status == PatientStatus.UNDER_REVIEW


def test_the_confirmation_shows_crisis_resources_after_a_self_harm_answer(patient_client):
    fill_all_steps(patient_client)
    patient_client.post(step_url("phq9"), {**VALID["phq9"], "item_9": "1"})
    patient_client.post(step_url("review"))

    response = patient_client.get(reverse("intake:done"))

    assert b'Call or text <a class="alert-link" href="tel:988">988</a>' in response.content


def test_the_confirmation_has_no_crisis_box_without_a_self_harm_answer(patient_client):
    fill_all_steps(patient_client)
    patient_client.post(step_url("review"))

    response = patient_client.get(reverse("intake:done"))

    assert b"your form is sent" in response.content
    assert b"tel:988" not in response.content


def test_returning_with_the_same_link_resumes_where_the_patient_left_off(client, token):
    client.get(reverse("intake:start", args=[token]))
    client.post(step_url("about-you"), VALID["about-you"])
    client.post(step_url("contacts"), VALID["contacts"])
    client.logout()  # closing the browser ends the session

    client.get(reverse("intake:start", args=[token]))
    response = client.get(reverse("intake:welcome"))

    assert b"Continue where you left off" in response.content
    assert response.context["resume_url"] == step_url("medical")


def test_a_reopened_intake_lets_the_patient_change_only_the_named_sections(client, provider):
    intake = answered_intake(phq9=phq9_answers())
    services.intake_submit(intake=intake)
    services.intake_decide(
        intake=intake,
        decision="more_info",
        decided_by=provider,
        message="Please list your medications with their doses.",
        reopen_steps=["medications"],
        site_url="http://testserver/",
    )
    _link, token = services.intake_link_issue(patient=intake.patient)
    client.get(reverse("intake:start", args=[token]))

    welcome = client.get(reverse("intake:welcome"))
    medications = client.get(step_url("medications"))
    about_you = client.get(step_url("about-you"))

    states = {step.slug: state for step, state in welcome.context["steps"]}
    assert states["medications"] == "to do"
    assert states["about-you"] == "done"
    assert "To do: your provider asked about this" in welcome.text
    assert medications.status_code == 200
    assert about_you.status_code == 302


def test_the_error_summary_names_each_question_to_fix(patient_client, intake):
    data = {**VALID["about-you"], "date_of_birth": "", "city": ""}

    response = patient_client.post(step_url("about-you"), data)

    content = response.content.decode()
    assert '<a class="alert-link" href="#div_id_date_of_birth">Date of birth</a>' in content
    assert '<a class="alert-link" href="#div_id_city">City</a>' in content
