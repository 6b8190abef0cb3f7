"""Questionnaires after intake: the patient's private link, staff entry, the safety flag."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.models import LinkPurpose, MeasureSource, OutcomeMeasure, PatientLink, SafetyFlag
from followups.models import Reminder, ReminderKind, ReminderPreference
from followups.preferences import opt_out_token

pytestmark = pytest.mark.django_db

CALM = {f"item_{n}": "0" for n in range(1, 10)}


def answers(**items):
    return {"instrument": "phq9", **CALM, **{f"item_{k[1:]}": str(v) for k, v in items.items()}}


@pytest.fixture
def opened(client, patient):
    """A patient who opened their questionnaire link."""
    link, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)
    client.get(reverse("followups:questionnaire_start", args=[token]))
    return link


def test_the_link_swaps_its_token_for_a_session_and_a_token_free_address(client, patient):
    _, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)

    response = client.get(reverse("followups:questionnaire_start", args=[token]))

    assert response.status_code == 302
    assert response.url == reverse("followups:questionnaire")
    assert token not in response.url


def test_an_unknown_link_shows_the_friendly_page(client, db):
    response = client.get(reverse("followups:questionnaire_start", args=["not-a-token"]))

    assert response.status_code == 404
    assert "This link does not work" in response.text


def test_opening_questionnaire_links_too_often_is_refused(client, db):
    for _ in range(30):
        client.get(reverse("followups:questionnaire_start", args=["guess"]))

    response = client.get(reverse("followups:questionnaire_start", args=["guess"]))

    assert response.status_code == 429
    assert "This link does not work" in response.text


def test_an_intake_link_does_not_open_the_questionnaire(client, patient):
    _, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)

    response = client.get(reverse("followups:questionnaire_start", args=[token]))

    assert response.status_code == 404


def test_the_patient_answers_both_questionnaires_and_the_link_stops_working(
    client, opened, patient
):
    url = reverse("followups:questionnaire")

    first = client.post(url, answers(i1=2, i2=2))
    second = client.post(url, {"instrument": "gad7", **{f"item_{n}": "1" for n in range(1, 8)}})

    assert first.url == url and second.url == reverse("followups:questionnaire_done")
    scores = OutcomeMeasure.objects.filter(patient=patient, source=MeasureSource.PATIENT_LINK)
    assert sorted(scores.values_list("instrument", "total")) == [("gad7", 7), ("phq9", 4)]
    opened.refresh_from_db()
    assert opened.revoked_at is not None
    assert client.get(url).status_code == 404


def test_the_phq9_page_sent_again_is_not_saved_as_a_gad7(client, opened, patient):
    url = reverse("followups:questionnaire")
    client.post(url, answers(i1=2, i2=2))

    again = client.post(url, answers(i1=2, i2=2))

    assert again.status_code == 302 and again.url == url
    scores = OutcomeMeasure.objects.filter(patient=patient, source=MeasureSource.PATIENT_LINK)
    assert list(scores.values_list("instrument", flat=True)) == ["phq9"]
    next_page = client.get(url)
    assert next_page.context["instrument"].code == "gad7"
    assert 'name="instrument" value="gad7"' in next_page.text


def test_answers_for_an_instrument_already_in_are_not_saved_twice(opened, patient):
    from followups.questionnaires import questionnaire_answer

    first = questionnaire_answer(link=opened, instrument_code="phq9", answers=[1] * 9)
    second = questionnaire_answer(link=opened, instrument_code="phq9", answers=[1] * 9)

    assert first is not None and second is None
    assert OutcomeMeasure.objects.filter(patient=patient).count() == 1


def test_a_blank_questionnaire_is_refused(client, opened, patient):
    response = client.post(reverse("followups:questionnaire"), {"instrument": "phq9"})

    assert response.status_code == 200
    assert "Please answer 9 questions" in response.text
    assert not OutcomeMeasure.objects.filter(patient=patient).exists()


def test_item_9_raises_the_urgent_flag_and_shows_crisis_resources(client, opened, patient):
    response = client.post(reverse("followups:questionnaire"), answers(i9=1), follow=True)

    assert "988" in response.text
    flag = SafetyFlag.objects.open().get(patient=patient)
    assert flag.source == MeasureSource.PATIENT_LINK


def test_a_nurse_enters_a_phq9(client_for, nurse, patient):
    answered_on = timezone.localdate() - datetime.timedelta(days=20)

    response = client_for(nurse).post(
        reverse("followups:measure_create", args=[patient.pk, "phq9"]),
        {**answers(i1=3, i2=3, i3=2), "taken_on": answered_on.isoformat()},
    )

    assert response.status_code == 302
    measure = OutcomeMeasure.objects.get(patient=patient)
    assert (measure.total, measure.band, measure.source) == (8, "Mild", MeasureSource.STAFF)
    assert timezone.localtime(measure.taken_at).date() == answered_on


def test_staff_send_a_questionnaire_link_by_email(
    client_for, front_desk, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(front_desk).post(
            reverse("followups:questionnaire_send", args=[patient.pk]), follow=True
        )

    assert "Questionnaire link sent" in response.text
    assert len(mail.outbox) == 1
    assert "/follow-ups/q/" in mail.outbox[0].body
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.kind, reminder.status) == (ReminderKind.QUESTIONNAIRE_BY_STAFF, "sent")


def test_the_opt_out_link_asks_first_then_stops_reminders(client, patient):
    url = reverse("followups:reminders_opt_out", args=[opt_out_token(patient)])

    asked = client.get(url)
    done = client.post(url)

    assert "Stop reminder emails?" in asked.text
    assert "no more reminder emails" in done.text
    preference = ReminderPreference.objects.get(patient=patient)
    assert preference.email_reminders is False and preference.changed_by_patient


def test_a_tampered_opt_out_link_changes_nothing(client, patient):
    token = opt_out_token(patient)[:-2] + "xx"

    response = client.post(reverse("followups:reminders_opt_out", args=[token]))

    assert response.status_code == 404
    assert not ReminderPreference.objects.exists()


def test_the_opt_out_link_expires_after_90_days(client, patient):
    with time_machine.travel("2026-12-01 09:00", tick=False) as clock:
        url = reverse("followups:reminders_opt_out", args=[opt_out_token(patient)])
        clock.shift(datetime.timedelta(days=89))
        assert "Stop reminder emails?" in client.get(url).text
        clock.shift(datetime.timedelta(days=2))

        response = client.post(url)

    assert response.status_code == 404
    assert not ReminderPreference.objects.exists()


def test_staff_turn_a_patients_reminders_back_on(client_for, front_desk, patient):
    ReminderPreference.objects.create(patient=patient, email_reminders=False)

    client_for(front_desk).post(
        reverse("followups:reminders_toggle", args=[patient.pk]), {"enabled": "1"}
    )

    assert ReminderPreference.objects.get(patient=patient).email_reminders is True
