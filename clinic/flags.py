"""Raising an urgent safety flag: once per patient and source while it is open."""

from django.db import IntegrityError, transaction

from clinic.models import SafetyFlag


def self_harm_flag_raise(*, patient, source, reason) -> SafetyFlag:
    """The open flag from `source` for this patient, raised now if there is none.

    Shared by intake and follow-up questionnaires so both raise the same flag. The database
    keeps one open flag per patient and source; a request that loses the race to raise it
    gets the winner's flag.
    """
    open_flags = SafetyFlag.objects.open().filter(patient=patient, source=source)
    flag = open_flags.first()
    if flag is not None:
        return flag
    try:
        # A savepoint: the refused insert must not break the caller's transaction.
        with transaction.atomic():
            return SafetyFlag.objects.create(patient=patient, reason=reason, source=source)
    except IntegrityError:
        flag = open_flags.first()
        if flag is None:
            raise
        return flag
