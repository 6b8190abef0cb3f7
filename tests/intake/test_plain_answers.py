"""A patient's answers: hidden characters and impossible dates of birth are explained."""

import datetime

from django.urls import reverse

from tests.intake.steps import VALID


def test_a_patient_answer_with_a_direction_override_is_explained(patient_client, intake):
    data = {**VALID["about-you"], "preferred_name": "Al\u202eex"}

    response = patient_client.post(reverse("intake:step", args=["about-you"]), data)

    assert response.status_code == 200
    assert "Please remove the hidden or unreadable characters" in response.content.decode()
    intake.refresh_from_db()
    assert "about-you" not in intake.answers


def test_a_patient_cannot_give_a_birth_date_in_the_future(patient_client, intake):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    data = {**VALID["about-you"], "date_of_birth": f"{tomorrow:%m/%d/%Y}"}

    response = patient_client.post(reverse("intake:step", args=["about-you"]), data)

    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
