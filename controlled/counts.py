"""Counting what is on the shelf against the ledger, and resolving what differs."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from controlled import ledger
from controlled.models import (
    Container,
    Count,
    CountKind,
    CountLine,
    EntryKind,
    LedgerEntry,
    Resolution,
)


def containers_to_count(*, kind, location):
    """A daily count covers the opened containers; every other count covers all in stock."""
    containers = Container.objects.in_stock().filter(location=location).select_related("product")
    if kind == CountKind.DAILY:
        containers = containers.opened()
    return containers.order_by("product__name", "expires_on", "pk")


def containers_shown(*, location, pks):
    """The containers a count's page listed (emptied since, perhaps: they are still counted,
    as a vial the ledger calls empty but that is on the shelf is what a count must find)."""
    return (
        Container.objects.filter(location=location, pk__in=pks)
        .select_related("product")
        .order_by("product__name", "expires_on", "pk")
    )


@transaction.atomic
def count_save(*, kind, location, counted, by, second_counter, note="", at=None):
    """Save a count: `counted` maps each container to (mL counted, explanation).

    Each container is locked while its balance is read, so no draw slips in between
    the ledger's figure and the line that compares with it. A container that came into
    the count's scope after the page was opened (received, or opened) was not counted:
    the count is refused, to be done again.
    """
    at = at or timezone.now()
    if second_counter.pk == by.pk:
        raise ValidationError("A count needs a second member of staff.", code="same_person")
    in_scope = {container.pk for container in containers_to_count(kind=kind, location=location)}
    if not in_scope <= {container.pk for container in counted}:
        raise ValidationError(
            "Containers were added to this location while you were counting. Count again.",
            code="changed",
        )
    count = Count.objects.create(
        kind=kind,
        location=location,
        counted_at=at,
        counted_by=by,
        second_counter=second_counter,
        note=note,
    )
    lines = []
    for container in sorted(counted, key=lambda c: c.pk):
        ml, explanation = counted[container]
        locked = ledger.lock(container)
        # The ledger's mL follow from its mg; the same mL is the same amount.
        counted_mg = locked.balance_mg if ml == locked.balance_ml else locked.product.mg_for(ml)
        if counted_mg != locked.balance_mg and not explanation.strip():
            raise ValidationError(
                "Explain the difference for %(container)s: the ledger says %(ledger)s mL, "
                "%(ml)s mL was counted.",
                code="unexplained",
                params={
                    "container": locked,
                    "ledger": f"{locked.balance_ml.normalize():f}",
                    "ml": f"{ml.normalize():f}",
                },
            )
        lines.append(
            CountLine(
                count=count,
                container=locked,
                expected_mg=locked.balance_mg,
                expected_ml=locked.balance_ml,
                counted_ml=ml,
                counted_mg=counted_mg,
                explanation=explanation.strip(),
            )
        )
    CountLine.objects.bulk_create(lines)
    return count


@transaction.atomic
def difference_resolve(*, line, note, adjust, by):
    """A provider's or clinic admin's decision on a difference. With `adjust`, an entry
    brings the container's balance to what was counted (never below zero)."""
    if not by.has_perm("controlled.resolve_discrepancy"):
        raise ValidationError(
            "Only a provider or a clinic admin can resolve a difference.", code="not_allowed"
        )
    if not note.strip():
        raise ValidationError("Write what was found and decided.", code="no_note")
    line = CountLine.objects.select_for_update().select_related("container").get(pk=line.pk)
    if line.counted_mg == line.expected_mg:
        raise ValidationError("This line matched the ledger.", code="no_difference")
    if Resolution.objects.filter(line=line).exists():
        raise ValidationError("This difference is already resolved.", code="resolved")
    if adjust:
        locked = ledger.lock(line.container)
        difference_mg = line.counted_mg - line.expected_mg
        difference_ml = line.counted_ml - line.expected_ml
        if locked.balance_mg + difference_mg < 0:
            raise ValidationError(
                "The container has been drawn from since the count; adjusting by the "
                "difference would leave less than nothing. Count it again.",
                code="below_zero",
            )
        at = timezone.now()
        LedgerEntry.objects.create(
            container=locked,
            location=locked.location,
            kind=EntryKind.ADJUSTMENT,
            mg=difference_mg,
            ml=difference_ml,
            at=at,
            recorded_by=by,
            count_line=line,
            reason=note.strip(),
        )
        ledger.settle(locked, at)
    return Resolution.objects.create(line=line, resolved_by=by, note=note.strip(), adjusted=adjust)
