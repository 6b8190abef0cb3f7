"""Helpers for follow-up tests: a series that has ended, follow-ups with a given window."""

import datetime

from django.utils import timezone

from followups.models import FollowUp
from tests.scheduling.factories import ended_series  # noqa: F401 - used by follow-up tests


def follow_up(*, patient, due_from, due_by=None, kind="post_series", provider=None, **kwargs):
    return FollowUp.objects.create(
        patient=patient,
        kind=kind,
        due_from=due_from,
        due_by=due_by or due_from + datetime.timedelta(days=6),
        provider=provider,
        **kwargs,
    )


def today():
    return timezone.localdate()
