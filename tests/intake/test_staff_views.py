"""Staff pages: invitations from the patient page, the review queue, the summary, the decision."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import LinkPurpose, Patient, PatientLink, PatientStatus, Route, SafetyFlag
from intake.models import Intake, IntakeStatus
from tests.factories import PatientFactory
from tests.intake.factories import phq9_answers, submitted_intake


def test_the_patient_page_offers_front_desk_to_send_the_link(client_for, front_desk, patient):
    response = client_for(front_desk).get(patient.get_absolute_url())

    assert b"Send intake link by email" in response.content
    assert b"Create a link to copy" in response.content


def test_front_desk_sends_the_link_by_email(
    client_for, front_desk, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(front_desk).post(reverse("intake:link_send", args=[patient.pk]))

    assert response.status_code == 302
    assert mail.outbox[0].to == [patient.email]
    assert "http://testserver/intake/start/" in mail.outbox[0].body


def test_sending_to_a_patient_without_email_explains_what_to_do(client_for, front_desk, db):
    patient = PatientFactory(email="")

    response = client_for(front_desk).post(
        reverse("intake:link_send", args=[patient.pk]), follow=True
    )

    assert b"This patient has no email address" in response.content
    assert not PatientLink.objects.filter(patient=patient).exists()


def test_a_link_to_copy_is_shown_once_and_opens_the_intake(client, client_for, front_desk, patient):
    response = client_for(front_desk).post(reverse("intake:link_copy", args=[patient.pk]))
    url = response.context["url"]
    client.logout()

    opened = client.get(url)

    assert opened.status_code == 302
    assert opened.url == reverse("intake:welcome")


def test_revoking_stops_the_link(client_for, front_desk, patient):
    link, _token = PatientLink.issue(patient=patient, purpose=LinkPurpose.INTAKE)

    client_for(front_desk).post(reverse("intake:link_revoke", args=[patient.pk]))

    link.refresh_from_db()
    assert link.revoked_at is not None


def test_a_nurse_cannot_send_links(client_for, nurse, patient):
    response = client_for(nurse).post(reverse("intake:link_send", args=[patient.pk]))

    assert response.status_code == 403


def test_the_queue_puts_flagged_intakes_first_then_the_oldest(client_for, provider, db):
    oldest = submitted_intake()
    newer = submitted_intake()
    flagged = submitted_intake(phq9=phq9_answers(items=(0, 0, 0, 0, 0, 0, 0, 0, 1)))
    Intake.objects.filter(pk=oldest.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )

    response = client_for(provider).get(reverse("intake:queue"))

    order = [intake.pk for intake in response.context["page"].object_list]
    assert order == [flagged.pk, oldest.pk, newer.pk]


def test_the_queue_shows_only_intakes_waiting_for_review(client_for, provider, intake):
    response = client_for(provider).get(reverse("intake:queue"))

    assert list(response.context["page"].object_list) == []


# Clinic settings, session, user, the second factor, permissions (user and group), the count,
# the page's ids, those intakes with their patients and scores, the user's roles for the
# menu, saving the session (3).
QUEUE_QUERIES = 11


@pytest.mark.parametrize("count", [2, 30])
def test_the_queue_shows_25_a_page_in_the_same_queries_for_2_or_30_intakes(
    client_for, provider, django_assert_num_queries, count
):
    for _ in range(count):
        submitted_intake()
    client = client_for(provider)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("intake:queue"))

    assert len(response.context["page"].object_list) == min(count, 25)
    assert f"{count} intakes waiting" in response.text


def test_the_queue_counts_screening_flags_found_at_submission(client_for, provider, db):
    submitted_intake(medical={"glaucoma": "yes", "liver": "yes"})

    response = client_for(provider).get(reverse("intake:queue"))

    assert "2 screening flags" in response.text


def test_the_summary_shows_scores_flags_trials_and_bmi(client_for, provider, db):
    intake = submitted_intake(
        phq9=phq9_answers(items=(3, 3, 3, 2, 2, 2, 2, 2, 0)),
        medical={"aneurysm": "yes", "height_cm": "180.0", "weight_kg": "81.0"},
        trials=[
            {"name": "Fluoxetine", "weeks": 8},
            {"name": "Sertraline", "weeks": 12},
            {"name": "Bupropion", "weeks": 2},
        ],
    )

    response = client_for(provider).get(reverse("intake:review", args=[intake.pk]))

    content = response.content.decode()
    assert "19 of 27 · Moderately severe" in content
    assert "Aneurysm or vascular malformation" in content
    assert "2 of 3 (6 weeks or more, as reported)" in content
    assert "25.0" in content


def test_the_summary_notes_medications_that_matter_for_ketamine(client_for, provider, db):
    intake = submitted_intake()
    answers = intake.answers
    answers["medications"]["medications"].append({"name": "Lorazepam 1 mg"})
    Intake.objects.filter(pk=intake.pk).update(answers=answers)

    response = client_for(provider).get(reverse("intake:review", args=[intake.pk]))

    assert b"Lorazepam 1 mg (Benzodiazepine)" in response.content


def test_a_provider_clears_a_patient_for_iv_and_intranasal(client_for, provider, db):
    intake = submitted_intake()
    routes = [Route.objects.get(code="iv").pk, Route.objects.get(code="intranasal").pk]

    response = client_for(provider).post(
        reverse("intake:decide", args=[intake.pk]), {"decision": "cleared", "routes": routes}
    )

    assert response.status_code == 302
    patient = intake.patient
    patient.refresh_from_db()
    assert patient.status == PatientStatus.CLEARED
    assert set(patient.cleared_routes.values_list("code", flat=True)) == {"iv", "intranasal"}
    assert patient.history.first().history_user == provider


def test_clearing_needs_at_least_one_route(client_for, provider, db):
    intake = submitted_intake()

    response = client_for(provider).post(
        reverse("intake:decide", args=[intake.pk]), {"decision": "cleared"}
    )

    assert response.status_code == 200
    assert b"Choose at least one route" in response.content
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED


def test_not_eligible_needs_a_reason(client_for, provider, db):
    intake = submitted_intake()

    response = client_for(provider).post(
        reverse("intake:decide", args=[intake.pk]), {"decision": "not_eligible"}
    )

    assert b"Give the reason" in response.content


def test_a_nurse_cannot_clear_an_intake(client_for, nurse, db):
    intake = submitted_intake()

    response = client_for(nurse).post(
        reverse("intake:decide", args=[intake.pk]),
        {"decision": "cleared", "routes": [Route.objects.get(code="iv").pk]},
    )

    assert response.status_code == 403
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED


def test_a_nurse_reads_the_summary_without_the_decision_form(client_for, nurse, db):
    intake = submitted_intake()

    response = client_for(nurse).get(reverse("intake:review", args=[intake.pk]))

    assert response.status_code == 200
    assert b"Record decision" not in response.content


def test_the_summary_shows_an_open_safety_flag_at_the_top(client_for, provider, db):
    intake = submitted_intake(phq9=phq9_answers(items=(1, 1, 1, 1, 1, 1, 1, 1, 1)))

    response = client_for(provider).get(reverse("intake:review", args=[intake.pk]))

    content = response.content.decode()
    assert content.index("Urgent safety flag") < content.index("Scores and measures")
    assert SafetyFlag.objects.open().count() == 1


def test_the_home_page_counts_intakes_waiting_for_review(client_for, provider, db):
    submitted_intake()

    response = client_for(provider).get(reverse("home"))

    assert b"1 intake waiting for review" in response.content


def test_intake_review_is_in_the_providers_navigation_but_not_front_desks(
    client_for, provider, front_desk
):
    assert b"Intake review" in client_for(provider).get(reverse("home")).content
    assert b"Intake review" not in client_for(front_desk).get(reverse("home")).content


def test_asking_a_patient_without_email_for_more_information_says_to_copy_a_link(
    client_for, provider, db
):
    intake = submitted_intake()
    Patient.objects.filter(pk=intake.patient.pk).update(email="")

    response = client_for(provider).post(
        reverse("intake:decide", args=[intake.pk]),
        {"decision": "more_info", "message": "Doses please.", "reopen_steps": ["medications"]},
        follow=True,
    )

    assert b"The patient has no email address" in response.content
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.MORE_INFO


def test_the_patient_page_shows_the_intake_s_phq9_without_reading_it_again(
    client_for, provider, django_assert_num_queries
):
    """The intake section reads the intake with its PHQ-9: the score costs no query."""
    unscored = submitted_intake()
    unscored.phq9 = None
    unscored.save(update_fields=["phq9"])
    scored = submitted_intake()
    client = client_for(provider)
    plain_url, scored_url = (
        reverse("clinic:patient_detail", args=[intake.patient.pk]) for intake in (unscored, scored)
    )
    client.get(plain_url)  # the session, the clinic settings, the provider's access
    with CaptureQueriesContext(connection) as plain:
        client.get(plain_url)

    with django_assert_num_queries(len(plain.captured_queries)):
        page = client.get(scored_url).content.decode()

    assert f"PHQ-9 {scored.phq9.total} ({scored.phq9.band})" in page
