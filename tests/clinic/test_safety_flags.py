import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.instruments import InstrumentCode
from clinic.models import MeasureSource, OutcomeMeasure, SafetyFlag


@pytest.fixture
def flag(patient):
    return SafetyFlag.objects.create(
        patient=patient, reason="PHQ-9 question 9 above zero", source=MeasureSource.INTAKE
    )


def test_an_outcome_measure_is_scored_when_built(patient):
    measure = OutcomeMeasure.scored(
        patient=patient,
        instrument_code=InstrumentCode.PHQ9,
        answers=[2] * 9,
        source=MeasureSource.STAFF,
    )

    assert (measure.total, measure.band) == (18, "Moderately severe")


def test_an_outcome_measure_refuses_impossible_answers(patient):
    with pytest.raises(ValidationError):
        OutcomeMeasure.scored(
            patient=patient, instrument_code="gad7", answers=[5] * 7, source=MeasureSource.STAFF
        )


def test_the_baseline_is_the_earliest_result(patient):
    first = OutcomeMeasure.scored(
        patient=patient, instrument_code="phq9", answers=[2] * 9, source="intake"
    )
    first.save()
    later = OutcomeMeasure.scored(
        patient=patient, instrument_code="phq9", answers=[1] * 9, source="patient_link"
    )
    later.save()

    assert patient.measures.baseline("phq9") == first


def test_acknowledging_records_who_when_and_the_note(flag, provider):
    flag.acknowledge(by=provider, note="Called the patient; safety plan reviewed.")

    flag.refresh_from_db()
    assert flag.acknowledged_by == provider
    assert flag.acknowledged_at is not None
    assert flag.acknowledgement_note == "Called the patient; safety plan reviewed."


def test_acknowledging_needs_a_note(flag, provider):
    with pytest.raises(ValidationError, match="Write what was done"):
        flag.acknowledge(by=provider, note="  ")


def test_an_open_flag_is_at_the_top_of_the_home_page(client_for, flag, front_desk):
    response = client_for(front_desk).get(reverse("home"))

    content = response.content.decode()
    assert "Urgent safety flags (1)" in content
    assert content.index("Urgent safety flags") < content.index("Patients by status")


def test_only_providers_see_the_acknowledge_button(client_for, flag, nurse):
    response = client_for(nurse).get(reverse("home"))

    assert "A provider must acknowledge this flag." in response.content.decode()


def test_a_provider_acknowledges_a_flag_from_the_home_page(client_for, flag, provider):
    url = reverse("clinic:safety_flag_acknowledge", args=[flag.pk])

    response = client_for(provider).post(url, {"note": "Called; safe."})

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.acknowledged_by == provider
    assert flag.history.first().history_user == provider


def test_an_acknowledged_flag_leaves_the_home_page(client_for, flag, provider):
    flag.acknowledge(by=provider, note="Called.")

    response = client_for(provider).get(reverse("home"))

    assert "Urgent safety flags" not in response.content.decode()


def test_a_nurse_cannot_acknowledge_a_flag(client_for, flag, nurse):
    url = reverse("clinic:safety_flag_acknowledge", args=[flag.pk])

    response = client_for(nurse).post(url, {"note": "Called."})

    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.is_open
