import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from clinic.models import (
    Clinic,
    LinkPurpose,
    MeasureSource,
    OutcomeMeasure,
    Patient,
    PatientLink,
    PatientStatus,
    Route,
    SafetyFlag,
)
from intake import services
from intake.models import IntakeStatus
from tests.factories import PatientFactory
from tests.intake.factories import complete_answers, phq9_answers, submitted_intake

SITE = "http://clinic.test/"


def token_in(body):
    return body.split("/intake/start/")[1].split("/")[0]


def test_sending_a_link_emails_a_token_that_opens_the_intake(
    patient, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_link_send(patient=patient, site_url=SITE, issued_by=front_desk)

    assert mail.outbox[0].to == [patient.email]
    token = token_in(mail.outbox[0].body)
    assert PatientLink.objects.find_usable(token, purpose=LinkPurpose.INTAKE).patient == patient


def test_the_link_email_names_no_condition_or_treatment(
    patient, django_capture_on_commit_callbacks
):
    clinic = Clinic.load()
    clinic.name = "Bayview Health"
    clinic.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.intake_link_send(patient=patient, site_url=SITE)

    message = mail.outbox[0]
    for word in ("ketamine", "depression", "psychiatric"):
        assert word not in message.subject.lower()
        assert word not in message.body.lower()


def test_a_patient_without_email_cannot_be_sent_a_link(db):
    patient = PatientFactory(email="")

    with pytest.raises(services.NoEmailAddress):
        services.intake_link_send(patient=patient, site_url=SITE)


def test_re_sending_makes_the_earlier_link_stop_working(
    patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_link_send(patient=patient, site_url=SITE)
        services.intake_link_send(patient=patient, site_url=SITE)

    first, second = (token_in(message.body) for message in mail.outbox)
    assert PatientLink.objects.find_usable(first, purpose=LinkPurpose.INTAKE) is None
    assert PatientLink.objects.find_usable(second, purpose=LinkPurpose.INTAKE) is not None


def test_a_self_harm_answer_saved_twice_raises_one_flag(intake):
    data = phq9_answers(items=(1, 1, 1, 1, 1, 1, 1, 1, 2))

    services.intake_step_save(intake=intake, step="phq9", data=data)
    services.intake_step_save(intake=intake, step="phq9", data=data)

    assert SafetyFlag.objects.open().filter(patient=intake.patient).count() == 1


def test_submission_scores_the_questionnaires_as_the_baseline(db):
    intake = submitted_intake(phq9=phq9_answers(items=(3, 3, 2, 2, 2, 2, 2, 2, 1)))

    baseline = intake.patient.measures.baseline("phq9")
    assert baseline == intake.phq9
    assert (baseline.total, baseline.band, baseline.source) == (19, "Moderately severe", "intake")
    assert intake.gad7.total == 7


def test_submission_raises_a_flag_for_a_self_harm_answer(db):
    intake = submitted_intake(phq9=phq9_answers(items=(0, 0, 0, 0, 0, 0, 0, 0, 1)))

    flag = SafetyFlag.objects.open().get(patient=intake.patient)
    assert flag.source == MeasureSource.INTAKE


def test_submission_raises_no_flag_without_a_self_harm_answer(db):
    intake = submitted_intake()

    assert not SafetyFlag.objects.filter(patient=intake.patient).exists()


def test_submission_copies_the_patients_details_to_their_record(db):
    intake = submitted_intake()

    patient = Patient.objects.get(pk=intake.patient.pk)
    assert patient.status == PatientStatus.UNDER_REVIEW
    assert patient.pronouns == "they/them"
    assert patient.emergency_contact_name == "Jamie Doe"
    assert (patient.escort_name, patient.escort_phone) == ("Jamie Doe", "4155550111")


def test_a_consent_is_signed_once(intake):
    services.intake_consent_sign(intake=intake, signed_name="A", ip_address=None, user_agent="")

    with pytest.raises(ValidationError, match="already signed"):
        services.intake_consent_sign(intake=intake, signed_name="B", ip_address=None, user_agent="")


def test_clearing_sets_the_patients_status_and_routes(provider):
    intake = submitted_intake()
    routes = Route.objects.filter(code__in=["iv", "intranasal"])

    services.intake_decide(intake=intake, decision="cleared", decided_by=provider, routes=routes)

    patient = Patient.objects.get(pk=intake.patient.pk)
    assert patient.status == PatientStatus.CLEARED
    assert set(patient.cleared_routes.values_list("code", flat=True)) == {"iv", "intranasal"}
    intake.refresh_from_db()
    assert (intake.status, intake.decided_by) == (IntakeStatus.CLEARED, provider)


def test_not_eligible_sets_the_status_and_keeps_the_reason(provider):
    intake = submitted_intake()

    services.intake_decide(
        intake=intake, decision="not_eligible", decided_by=provider, reason="Aneurysm"
    )

    intake.refresh_from_db()
    assert intake.patient.status == PatientStatus.NOT_ELIGIBLE
    assert intake.decision_reason == "Aneurysm"


def test_asking_for_more_information_emails_the_patient_a_new_link(
    provider, django_capture_on_commit_callbacks
):
    intake = submitted_intake()

    with django_capture_on_commit_callbacks(execute=True):
        services.intake_decide(
            intake=intake,
            decision="more_info",
            decided_by=provider,
            message="Please add the doses of your medications.",
            reopen_steps=["medications"],
            site_url=SITE,
        )

    assert "Please add the doses of your medications." in mail.outbox[0].body
    intake.refresh_from_db()
    assert intake.patient.status == PatientStatus.INTAKE_IN_PROGRESS
    assert intake.reopened_steps == ["medications"]


def test_only_a_provider_can_decide(nurse):
    intake = submitted_intake()

    with pytest.raises(ValidationError, match="Only a provider"):
        services.intake_decide(intake=intake, decision="cleared", decided_by=nurse)


def test_a_decision_is_kept_in_the_audit_trail(provider):
    intake = submitted_intake()

    services.intake_decide(
        intake=intake, decision="not_eligible", decided_by=provider, reason="Pregnancy"
    )

    latest = intake.history.first()
    assert (latest.decision, latest.decided_by_id) == ("not_eligible", provider.pk)


def test_scores_are_stored_once_per_submission(db):
    submitted_intake()

    assert OutcomeMeasure.objects.count() == 2


def test_a_self_referral_creates_a_referred_patient_and_emails_a_link(
    db, django_capture_on_commit_callbacks
):
    data = {
        "legal_first_name": "Robin",
        "legal_last_name": "Hale",
        "date_of_birth": "1990-01-02",
        "phone": "4155550123",
        "email": "robin@example.com",
    }

    with django_capture_on_commit_callbacks(execute=True):
        patient, link = services.self_referral_create(data=data, site_url=SITE)

    assert patient.status == PatientStatus.REFERRED
    assert link.patient == patient
    assert mail.outbox[0].to == ["robin@example.com"]


def test_a_flag_acknowledged_before_submission_is_not_raised_again(provider, intake):
    risky = phq9_answers(items=(1, 1, 1, 1, 1, 1, 1, 1, 1))
    services.intake_step_save(intake=intake, step="phq9", data=risky)
    SafetyFlag.objects.get().acknowledge(by=provider, note="Called.")
    intake.answers = complete_answers(intake.patient, phq9=risky)
    intake.save()
    services.intake_consent_sign(intake=intake, signed_name="A", ip_address=None, user_agent="")

    services.intake_submit(intake=intake)

    assert SafetyFlag.objects.count() == 1


def test_resubmitting_after_more_information_keeps_one_baseline(provider):
    intake = submitted_intake()
    services.intake_decide(
        intake=intake,
        decision="more_info",
        decided_by=provider,
        message="Doses please.",
        reopen_steps=["medications"],
    )

    services.intake_submit(intake=intake)

    assert OutcomeMeasure.objects.count() == 2
