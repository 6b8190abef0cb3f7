"""The records an inspector asks for (21 CFR 1304): administrations, receipts, witnessed
waste, the biennial inventory, discrepancies and losses, and each container's running
balance; their CSV columns are in controlled/report_rows.py.

Every figure is read from the ledger, so it adds up to the ledger's own: totals are sums
of entries worked out by the database, never counted again in Python. The ranges are
`at >= start` and `at < end`, aware datetimes at the clinic's local midnight.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, Sum, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce

from controlled.attention import one_business_day_after
from controlled.models import (
    Container,
    CountKind,
    CountLine,
    EntryKind,
    LedgerEntry,
    LossReport,
    Receipt,
)
from controlled.models import Count as StockCount

ZERO = Decimal(0)
BY_PRODUCT = ["container__product__name", "container__product__ndc"]


def period(first_day, last_day, zone):
    """The local days first_day to last_day (both included) as [start, end)."""
    start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    return start, end


def _out_of_stock(entries):
    """What left stock, positive: given or wasted, less what corrections put back."""
    return entries.annotate(out_mg=-F("mg"), out_ml=-F("ml"))


def _net_out_by_product(entries):
    return (
        entries.order_by()
        .values(*BY_PRODUCT)
        .annotate(mg=-Sum("mg"), ml=-Sum("ml"), entries=Count("pk"))
        .order_by(*BY_PRODUCT)
    )


def _with_corrections(start, end, kind):
    """Entries of one kind in the range, and the corrections of that kind's entries."""
    return LedgerEntry.objects.between(start, end).filter(
        Q(kind=kind) | Q(kind=EntryKind.CORRECTION, corrects__kind=kind)
    )


# Administrations


def administrations(start, end):
    return _out_of_stock(
        _with_corrections(start, end, EntryKind.ADMINISTRATION)
        .select_related("container__product", "patient", "recorded_by", "corrects")
        .order_by("at", "pk")
    )


def administration_totals(start, end):
    return _net_out_by_product(_with_corrections(start, end, EntryKind.ADMINISTRATION))


# Receipts


def _received_between(first_day, last_day):
    return Q(received_on__gte=first_day, received_on__lte=last_day)


def receipts(first_day, last_day):
    """Delivery lines received on those days, each with the mg its entries put in."""
    return (
        Receipt.objects.filter(_received_between(first_day, last_day))
        .select_related("supplier", "product", "received_by", "checked_by")
        .annotate(
            total_mg=Coalesce(Sum("entries__mg"), ZERO),
            total_ml=Coalesce(Sum("entries__ml"), ZERO),
        )
        .order_by("received_on", "pk")
    )


def receipt_totals(first_day, last_day):
    return (
        # A receipt entry and its correction (which carries the receipt) net out, and a
        # container whose receipt was reversed is not counted as received.
        LedgerEntry.objects.filter(
            receipt__received_on__gte=first_day,
            receipt__received_on__lte=last_day,
        )
        .values(*BY_PRODUCT)
        .annotate(
            containers=Count("pk", filter=Q(kind=EntryKind.RECEIPT))
            - Count("pk", filter=Q(kind=EntryKind.CORRECTION)),
            mg=Sum("mg"),
            ml=Sum("ml"),
        )
        .order_by(*BY_PRODUCT)
    )


# Waste


def waste(start, end):
    return _out_of_stock(
        _with_corrections(start, end, EntryKind.WASTE)
        .select_related("container__product", "recorded_by", "witness", "corrects")
        .order_by("at", "pk")
    )


def waste_totals(start, end):
    return _net_out_by_product(_with_corrections(start, end, EntryKind.WASTE))


# The biennial inventory


def biennial_counts():
    return StockCount.objects.filter(kind=CountKind.BIENNIAL).select_related(
        "location", "counted_by", "second_counter"
    )


def inventory_lines(count):
    return (
        CountLine.objects.filter(count=count)
        .select_related("container__product")
        .order_by("container__product__name", "container__expires_on", "container__pk")
    )


def inventory_totals(count):
    return (
        CountLine.objects.filter(count=count)
        .values(*BY_PRODUCT)
        .annotate(
            containers=Count("pk"),
            mg=Sum("counted_mg"),
            ml=Sum("counted_ml"),
            ledger_mg=Sum("expected_mg"),
        )
        .order_by(*BY_PRODUCT)
    )


# Discrepancies and losses


def count_differences(start, end):
    """Count lines that differ from the ledger, with the resolution and adjustment if any."""
    return (
        CountLine.objects.discrepancies()
        .filter(count__counted_at__gte=start, count__counted_at__lt=end)
        .select_related(
            "count__location",
            "count__counted_by",
            "count__second_counter",
            "container__product",
            "resolution__resolved_by",
            "adjustment",
        )
        .order_by("count__counted_at", "pk")
    )


def difference_totals(start, end):
    return (
        CountLine.objects.discrepancies()
        .filter(count__counted_at__gte=start, count__counted_at__lt=end)
        .values(*BY_PRODUCT)
        .annotate(
            lines=Count("pk"),
            mg=Sum(F("counted_mg") - F("expected_mg")),
            adjusted_mg=Coalesce(Sum("adjustment__mg"), ZERO),
        )
        .order_by(*BY_PRODUCT)
    )


def losses(start, end):
    """Loss reports discovered in the range, each with its entries and what they took."""
    entries = LedgerEntry.objects.select_related("container__product", "location").order_by("pk")
    return (
        LossReport.objects.filter(discovered_at__gte=start, discovered_at__lt=end)
        .select_related("recorded_by", "notice")
        .annotate(lost_mg=Coalesce(-Sum("entries__mg"), ZERO))
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("discovered_at", "pk")
    )


def loss_totals(start, end):
    return _net_out_by_product(
        # A loss and its corrections (which carry the loss report) net out.
        LedgerEntry.objects.filter(
            loss_report__discovered_at__gte=start,
            loss_report__discovered_at__lt=end,
        )
    )


def with_deadlines(reports):
    """Each loss report with the day DEA had to be told by, and whether it was in time."""
    for report in reports:
        report.deadline = one_business_day_after(report.discovered_at)
        notice = getattr(report, "notice", None)
        report.told_at = notice.reported_at if notice else None
        report.reference = notice.reference if notice else ""
        report.told_in_time = notice is not None and notice.reported_at <= report.deadline
        yield report


# Running balances


def containers():
    return (
        Container.objects.with_balance()
        .select_related("product", "location")
        .order_by("-receipt__received_on", "-receipt_id", "number")
    )


def held_totals():
    return (
        LedgerEntry.objects.values(*BY_PRODUCT)
        .annotate(mg=Sum("mg"), ml=Sum("ml"), containers=Count("container", distinct=True))
        .order_by(*BY_PRODUCT)
    )


def running_balance(container):
    """The container's entries in order, each with the balance after it (a window sum)."""
    running = {
        "frame": RowRange(start=None, end=0),
        "order_by": [F("at").asc(), F("pk").asc()],
    }
    return (
        LedgerEntry.objects.filter(container=container)
        .select_related("location", "recorded_by", "witness", "patient", "corrects")
        .annotate(balance_mg=Window(Sum("mg"), **running), balance_ml=Window(Sum("ml"), **running))
        .order_by("at", "pk")
    )
