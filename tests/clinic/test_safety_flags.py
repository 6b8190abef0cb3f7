import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.flags import self_harm_flag_raise
from clinic.instruments import InstrumentCode
from clinic.models import MeasureSource, OutcomeMeasure, SafetyFlag
from clinic.models.measures import SafetyFlagQuerySet

SELF_HARM_ANSWERS = {"instrument_code": InstrumentCode.PHQ9, "answers": [0] * 8 + [1]}


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


def test_the_database_refuses_a_second_open_flag_for_the_same_patient_and_source(flag):
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyFlag.objects.create(patient=flag.patient, reason="Again", source=flag.source)

    assert SafetyFlag.objects.count() == 1


def test_a_second_open_flag_fails_validation_with_a_message(flag):
    second = SafetyFlag(patient=flag.patient, reason="Again", source=flag.source)

    with pytest.raises(ValidationError, match="already has an open flag from this source"):
        second.full_clean()


def test_an_acknowledged_flag_allows_a_new_one_from_the_same_source(flag, provider):
    flag.acknowledge(by=provider, note="Called.")

    SafetyFlag.objects.create(patient=flag.patient, reason="Again", source=flag.source)

    assert SafetyFlag.objects.open().count() == 1


def test_flags_from_two_sources_may_be_open_together(flag):
    SafetyFlag.objects.create(
        patient=flag.patient, reason="Follow-up", source=MeasureSource.PATIENT_LINK
    )

    assert SafetyFlag.objects.open().count() == 2


def test_raising_a_flag_that_is_open_gives_the_open_one(flag):
    raised = self_harm_flag_raise(patient=flag.patient, source=flag.source, **SELF_HARM_ANSWERS)

    assert raised == flag
    assert SafetyFlag.objects.count() == 1


def test_a_flag_raised_by_a_request_at_the_same_moment_is_returned_not_doubled(flag, monkeypatch):
    # The other request commits its flag between this one's check and its insert.
    real_first = SafetyFlagQuerySet.first
    checks = []

    def first_misses_once(queryset):
        checks.append(queryset)
        return None if len(checks) == 1 else real_first(queryset)

    monkeypatch.setattr(SafetyFlagQuerySet, "first", first_misses_once)

    raised = self_harm_flag_raise(patient=flag.patient, source=flag.source, **SELF_HARM_ANSWERS)

    assert raised == flag
    assert SafetyFlag.objects.count() == 1


def test_answers_without_a_self_harm_answer_raise_no_flag(patient):
    for code, answers in ((InstrumentCode.PHQ9, [3] * 8 + [0]), (InstrumentCode.GAD7, [3] * 7)):
        raised = self_harm_flag_raise(
            patient=patient, source=MeasureSource.STAFF, instrument_code=code, answers=answers
        )

        assert raised is None
    assert not SafetyFlag.objects.exists()


def test_a_flag_raised_since_a_moment_stops_a_new_one_even_when_acknowledged(flag, provider):
    flag.acknowledge(by=provider, note="Called.")

    raised = self_harm_flag_raise(
        patient=flag.patient,
        source=flag.source,
        unless_raised_since=flag.raised_at,
        **SELF_HARM_ANSWERS,
    )

    assert raised is None
    assert SafetyFlag.objects.count() == 1
