"""Raising an urgent safety flag: once per patient and source while it is open."""

from django.db import IntegrityError, transaction

from clinic.instruments import InstrumentCode, phq9_self_harm_risk
from clinic.models import SafetyFlag

# One wording wherever the answer was given; the flag's source says where.
SELF_HARM_REASON = "Answered PHQ-9 question 9 (thoughts of self-harm) above “Not at all”."


def self_harm_flag_raise(
    *, patient, source, instrument_code, answers, unless_raised_since=None
) -> SafetyFlag | None:
    """The open flag these answers call for, raised now if none from `source` is open.

    Only a PHQ-9 with item 9 above 0 calls for one; None otherwise. With
    `unless_raised_since`, a flag from `source` raised since then, even one already
    acknowledged, means the answers were acted on: no new flag, and None.

    The database keeps one open flag per patient and source; a request that loses
    the race to raise it gets the winner's flag.
    """
    if instrument_code != InstrumentCode.PHQ9 or not phq9_self_harm_risk(answers):
        return None
    flags = SafetyFlag.objects.filter(patient=patient, source=source)
    flag = flags.open().first()
    if flag is not None:
        return flag
    if (
        unless_raised_since is not None
        and flags.filter(raised_at__gte=unless_raised_since).exists()
    ):
        return None
    try:
        # A savepoint: the refused insert must not break the caller's transaction.
        with transaction.atomic():
            return SafetyFlag.objects.create(
                patient=patient, reason=SELF_HARM_REASON, source=source
            )
    except IntegrityError:
        flag = flags.open().first()
        if flag is None:
            raise
        return flag
