"""The reports' columns: for each report a CSV header and its rows, one entry, receipt or
count line at a time (read with `.iterator()`, so a CSV of years streams in bounded memory).
Times are the clinic's wall clock with their UTC offset.
"""

from controlled.ledger import milli
from controlled.reports import with_deadlines


def local(moment, zone):
    """A time as the CSV gives it: the clinic's wall clock, with its UTC offset."""
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""


def _person(user):
    return str(user) if user else ""


def _corrects(entry, zone):
    if entry.corrects is None:
        return ""
    original = entry.corrects
    return f"Reverses entry {original.pk} of {local(original.at, zone)}: {entry.reason}"


ADMINISTRATION_HEADER = [
    "entry",
    "date and time",
    "patient",
    "MRN",
    "drug",
    "product",
    "strength",
    "mg given",
    "mL given",
    "container",
    "lot",
    "given by",
    "correction of",
]


def administration_rows(entries, zone):
    for entry in entries.iterator(chunk_size=2000):
        product = entry.container.product
        yield [
            entry.pk,
            local(entry.at, zone),
            entry.patient.legal_name,
            entry.patient.mrn,
            product.get_drug_display(),
            product.name,
            product.strength,
            milli(entry.out_mg),
            milli(entry.out_ml),
            entry.container.label,
            entry.container.lot_number,
            _person(entry.recorded_by),
            _corrects(entry, zone),
        ]


RECEIPT_HEADER = [
    "date received",
    "supplier",
    "supplier address",
    "supplier DEA number",
    "invoice number",
    "product",
    "NDC",
    "lot",
    "expires",
    "containers",
    "total mg",
    "total mL",
    "received by",
    "checked by",
]


def receipt_rows(receipts):
    for receipt in receipts.iterator(chunk_size=2000):
        yield [
            receipt.received_on.isoformat(),
            receipt.supplier.name,
            ", ".join(
                line.strip() for line in receipt.supplier.address.splitlines() if line.strip()
            ),
            receipt.supplier.dea_number,
            receipt.invoice_number,
            receipt.product.name,
            receipt.product.ndc,
            receipt.lot_number,
            receipt.expires_on.isoformat(),
            receipt.container_count,
            milli(receipt.total_mg),
            milli(receipt.total_ml),
            _person(receipt.received_by),
            _person(receipt.checked_by),
        ]


WASTE_HEADER = [
    "entry",
    "date and time",
    "container",
    "product",
    "lot",
    "mg wasted",
    "mL wasted",
    "reason",
    "by",
    "witness",
    "correction of",
]


def waste_rows(entries, zone):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.pk,
            local(entry.at, zone),
            entry.container.label,
            entry.container.product.name,
            entry.container.lot_number,
            milli(entry.out_mg),
            milli(entry.out_ml),
            "" if entry.corrects_id else entry.reason,
            _person(entry.recorded_by),
            _person(entry.witness),
            _corrects(entry, zone),
        ]


INVENTORY_HEADER = [
    "counted at",
    "location",
    "counted by",
    "second counter",
    "container",
    "product",
    "NDC",
    "lot",
    "expires",
    "counted mL",
    "counted mg",
    "ledger mg",
    "explanation",
]


def inventory_rows(count, lines, zone):
    heading = [
        local(count.counted_at, zone),
        count.location.name,
        _person(count.counted_by),
        _person(count.second_counter),
    ]
    for line in lines.iterator(chunk_size=2000):
        yield [
            *heading,
            line.container.label,
            line.container.product.name,
            line.container.product.ndc,
            line.container.lot_number,
            line.container.expires_on.isoformat(),
            line.counted_ml,
            line.counted_mg,
            line.expected_mg,
            line.explanation,
        ]


DISCREPANCY_HEADER = [
    "record",
    "date and time",
    "location",
    "container",
    "product",
    "lot",
    "ledger mg",
    "counted mg",
    "difference mg",
    "difference mL",
    "explanation or description",
    "recorded by",
    "second counter",
    "resolution",
    "resolved by",
    "resolved at",
    "ledger adjusted by mg",
    "DEA to be told by",
    "DEA told at",
    "DEA Form 106 reference",
]


def discrepancy_rows(lines, reports, zone):
    for line in lines.iterator(chunk_size=2000):
        resolution = getattr(line, "resolution", None)
        adjustment = getattr(line, "adjustment", None)
        yield [
            "Count difference",
            local(line.count.counted_at, zone),
            line.count.location.name,
            line.container.label,
            line.container.product.name,
            line.container.lot_number,
            line.expected_mg,
            line.counted_mg,
            line.difference_mg,
            line.difference_ml,
            line.explanation,
            _person(line.count.counted_by),
            _person(line.count.second_counter),
            resolution.note if resolution else "Not resolved",
            _person(resolution.resolved_by) if resolution else "",
            local(resolution.resolved_at, zone) if resolution else "",
            adjustment.mg if adjustment else "",
            "",
            "",
            "",
        ]
    for report in with_deadlines(reports.iterator(chunk_size=200)):
        for entry in report.entries.all():
            yield [
                f"{report.get_kind_display()} (report {report.pk})",
                local(report.discovered_at, zone),
                entry.location.name,
                entry.container.label,
                entry.container.product.name,
                entry.container.lot_number,
                "",
                "",
                entry.mg,
                entry.ml,
                " ".join(report.description.split()),
                _person(report.recorded_by),
                "",
                "",
                "",
                "",
                "",
                local(report.deadline, zone),
                local(report.told_at, zone),
                report.reference,
            ]


BALANCES_HEADER = [
    "container",
    "product",
    "NDC",
    "lot",
    "expires",
    "location",
    "balance mg",
    "balance mL",
]


def balances_rows(containers):
    for container in containers.iterator(chunk_size=2000):
        yield [
            container.label,
            container.product.name,
            container.product.ndc,
            container.lot_number,
            container.expires_on.isoformat(),
            container.location.name,
            milli(container.balance_mg),
            milli(container.balance_ml),
        ]


RUNNING_HEADER = [
    "entry",
    "date and time",
    "what",
    "location",
    "mg",
    "mL",
    "balance mg",
    "balance mL",
    "patient",
    "MRN",
    "by",
    "witness",
    "reason",
]


def running_rows(entries, zone):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.pk,
            local(entry.at, zone),
            entry.get_kind_display(),
            entry.location.name,
            entry.mg,
            entry.ml,
            milli(entry.balance_mg),
            milli(entry.balance_ml),
            entry.patient.legal_name if entry.patient else "",
            entry.patient.mrn if entry.patient else "",
            _person(entry.recorded_by),
            _person(entry.witness),
            _corrects(entry, zone) or entry.reason,
        ]
