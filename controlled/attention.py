"""What a custodian must act on: differences found by a count and not yet resolved, losses
DEA has not been told of (due within one business day of the discovery), and expired
containers still on the shelf, for the home page and the worklist.

The three counts are kept in the shared cache like the home page's other counts
(clinic/counts.py), so a page with nothing to act on reads nothing more; the lists are read
only when a count says there is something in them.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from clinic.counts import counted
from clinic.models import Clinic
from controlled.models import Container, CountLine, LossReport

SHOWN = 10


def one_business_day_after(moment):
    """The last moment of the next weekday after the day of `moment`, in the clinic's zone
    (read from the clinic, not the request: a streamed CSV is written after the request's
    zone is gone). Public holidays are not known to the app, so they are not skipped."""
    zone = Clinic.load().zone
    day = moment.astimezone(zone).date() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time.max, zone)


@dataclass
class Attention:
    discrepancies: list
    discrepancy_count: int
    losses: list
    expired_count: int

    loss_count: int

    @property
    def total(self):
        return self.discrepancy_count + self.loss_count + self.expired_count


def _counts():
    return {
        "discrepancies": CountLine.objects.unresolved().count(),
        "losses": LossReport.objects.filter(notice__isnull=True).count(),
        "expired": Container.objects.in_stock().filter(expires_on__lt=timezone.localdate()).count(),
    }


def attention():
    counts = counted("controlled_attention", _counts)
    losses = []
    if counts["losses"]:
        losses = list(
            LossReport.objects.filter(notice__isnull=True).select_related("recorded_by")[:SHOWN]
        )
    now = timezone.now()
    for report in losses:
        report.deadline = one_business_day_after(report.discovered_at)
        report.overdue = now > report.deadline
    discrepancies = []
    if counts["discrepancies"]:
        discrepancies = list(
            CountLine.objects.unresolved()
            .select_related("count__location", "container__product")
            .order_by("count__counted_at", "pk")[:SHOWN]
        )
    return Attention(
        discrepancies=discrepancies,
        discrepancy_count=counts["discrepancies"],
        losses=losses,
        expired_count=counts["expired"],
        loss_count=counts["losses"],
    )
