"""Recording a completed PHQ-9 or GAD-7: the one way intake and follow-ups save a score."""

from django.db import transaction

from clinic.flags import self_harm_flag_raise
from clinic.models import OutcomeMeasure


def measure_record(
    *,
    patient,
    instrument_code,
    answers,
    source,
    difficulty=None,
    taken_at=None,
    unless_flagged_since=None,
) -> OutcomeMeasure:
    """Score and save one questionnaire; a self-harm answer raises the urgent flag.

    `unless_flagged_since` is passed on to `self_harm_flag_raise`: intake gives its
    start, so a flag a provider acknowledged before submission is not raised again.
    """
    with transaction.atomic():
        measure = OutcomeMeasure.scored(
            patient=patient,
            instrument_code=instrument_code,
            answers=answers,
            difficulty=difficulty,
            source=source,
            taken_at=taken_at,
        )
        measure.full_clean()
        measure.save()
        self_harm_flag_raise(
            patient=patient,
            source=source,
            instrument_code=instrument_code,
            answers=answers,
            unless_raised_since=unless_flagged_since,
        )
    return measure
