"""Recording a questionnaire: one scoring, saving and flagging path for intake and follow-ups."""

import pytest

from clinic.flags import SELF_HARM_REASON
from clinic.instruments import InstrumentCode
from clinic.measures import measure_record
from clinic.models import LinkPurpose, MeasureSource, OutcomeMeasure, PatientLink, SafetyFlag
from followups.questionnaires import questionnaire_answer
from tests.factories import PatientFactory
from tests.intake.factories import phq9_answers, submitted_intake

pytestmark = pytest.mark.django_db

ITEM_9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_a_recorded_questionnaire_is_scored_and_saved(patient):
    measure = measure_record(
        patient=patient,
        instrument_code=InstrumentCode.PHQ9,
        answers=[2] * 8 + [0],
        difficulty=1,
        source=MeasureSource.STAFF,
    )

    measure.refresh_from_db()
    assert (measure.total, measure.band, measure.difficulty) == (16, "Moderately severe", 1)
    assert not SafetyFlag.objects.exists()


def test_a_self_harm_answer_raises_the_flag_with_the_measure(patient):
    measure_record(
        patient=patient, instrument_code="phq9", answers=ITEM_9, source=MeasureSource.STAFF
    )

    flag = SafetyFlag.objects.open().get(patient=patient)
    assert (flag.source, flag.reason) == (MeasureSource.STAFF, SELF_HARM_REASON)


def test_intake_and_follow_ups_raise_the_flag_with_the_same_reason():
    intake = submitted_intake(phq9=phq9_answers(items=ITEM_9))
    link, _ = PatientLink.issue(patient=PatientFactory(), purpose=LinkPurpose.QUESTIONNAIRE)
    questionnaire_answer(link=link, instrument_code="phq9", answers=ITEM_9)

    at_intake = SafetyFlag.objects.get(patient=intake.patient)
    at_follow_up = SafetyFlag.objects.get(patient=link.patient)
    assert at_intake.reason == at_follow_up.reason == SELF_HARM_REASON
    assert (at_intake.source, at_follow_up.source) == (
        MeasureSource.INTAKE,
        MeasureSource.PATIENT_LINK,
    )


def test_intake_and_follow_ups_score_the_same_answers_the_same_way():
    intake = submitted_intake(phq9=phq9_answers(items=(3, 3, 2, 2, 2, 2, 2, 2, 1)))
    link, _ = PatientLink.issue(patient=PatientFactory(), purpose=LinkPurpose.QUESTIONNAIRE)

    later = questionnaire_answer(link=link, instrument_code="phq9", answers=intake.phq9.answers)

    assert (later.total, later.band) == (intake.phq9.total, intake.phq9.band)
    assert OutcomeMeasure.objects.count() == 3  # intake's PHQ-9 and GAD-7, and the follow-up
