import pytest
from django.core.exceptions import ValidationError

from intake.models import IntakeStatus
from tests.intake.factories import IntakeFactory, answered_intake, complete_answers

pytestmark = pytest.mark.django_db


def test_a_new_intake_resumes_at_the_first_step():
    assert IntakeFactory().resume_step() == "about-you"


def test_the_intake_resumes_at_the_first_unanswered_step(patient):
    answers = complete_answers(patient)
    intake = IntakeFactory(
        patient=patient, answers={k: answers[k] for k in ["about-you", "contacts"]}
    )

    assert intake.resume_step() == "medical"


def test_a_fully_answered_intake_resumes_at_the_review():
    assert answered_intake().resume_step() == "review"


def test_the_next_step_follows_the_order_of_the_form():
    intake = IntakeFactory()

    assert intake.next_step("about-you") == "contacts"
    assert intake.next_step("gad7") == "consent"
    assert intake.next_step("consent") == "review"


def test_with_reopened_steps_the_next_step_is_the_next_reopened_one(provider):
    intake = answered_intake()
    intake.submit()
    intake.record_decision(
        decision="more_info", by=provider, reopen_steps=["medical", "gad7"], message="Please."
    )

    assert intake.next_step("medical") == "gad7"
    assert intake.next_step("gad7") == "review"


def test_more_information_resumes_at_the_first_reopened_step(provider):
    intake = answered_intake()
    intake.submit()
    intake.record_decision(decision="more_info", by=provider, reopen_steps=["medications"])

    assert intake.resume_step() == "medications"


def test_submitting_lists_the_parts_still_to_do(patient):
    intake = IntakeFactory(patient=patient, answers={"about-you": {}})

    with pytest.raises(ValidationError, match="Medical history"):
        intake.submit()


def test_a_submitted_intake_can_no_longer_be_changed():
    intake = answered_intake()
    intake.submit()

    with pytest.raises(ValidationError, match="can no longer be changed"):
        intake.save_step("contacts", {})


def test_an_intake_cannot_be_submitted_twice():
    intake = answered_intake()
    intake.submit()

    with pytest.raises(ValidationError, match="already sent"):
        intake.submit()


def test_a_decision_needs_an_intake_waiting_for_review(provider):
    intake = answered_intake()

    with pytest.raises(ValidationError, match="waiting for review"):
        intake.record_decision(decision="cleared", by=provider)


def test_more_information_reopens_only_the_named_steps(provider):
    intake = answered_intake()
    intake.submit()

    intake.record_decision(decision="more_info", by=provider, reopen_steps=["medications"])

    assert intake.status == IntakeStatus.MORE_INFO
    assert intake.can_edit_step("medications")
    assert not intake.can_edit_step("about-you")
