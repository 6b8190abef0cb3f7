"""The inspector's reports: a month of activity built with the services, and every line
and total of each report checked on screen and in the CSV against what was done."""

import csv
import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse

from clinic.models import AccessKind, AccessLogEntry
from controlled import administrations, counts, ledger
from controlled.models import CountKind, LedgerEntry, LossNotice, LossReport
from tests.access import LOGIN
from tests.controlled.access_reports import ACCESS
from tests.controlled.factories import (
    esketamine_device,
    ketamine_50,
    receive,
    safe,
    session_record,
)
from tests.factories import UserFactory
from tests.scheduling.factories import at, cleared_patient, open_clinic

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 1)
NOW_DAY = datetime.date(2025, 3, 28)
K50 = "Ketamine 50 mg/mL, 10 mL vial"
K100 = "Ketamine 100 mg/mL, 5 mL vial"
ESK = "Esketamine nasal spray 28 mg"
D = Decimal


def day(number, month=3):
    return datetime.date(2025, month, number)


def ketamine_100():
    return ketamine_50(
        ndc="0143-9508-01", name=K100, mg_per_ml=Decimal(100), container_ml=Decimal(5)
    )


class Tables(HTMLParser):
    """The tables of a page, by caption: each row a list of its cells' text."""

    def __init__(self, html):
        super().__init__()
        self.tables, self._rows, self._cell, self._caption = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._cell = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption, self._cell = " ".join("".join(self._cell).split()), None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def body_rows(response, caption):
    """The rows under the header of the table with that caption."""
    return Tables(response.content.decode()).tables[caption][1:]


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    header, *rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def nurse_b(db):
    return UserFactory(role="Nurse", first_name="Priya", last_name="Shah")


@pytest.fixture
def month(nurse, nurse_b, provider):
    """March 2025 at the treatment room safe, made with the services at the times given.

    Time stands still at each step, and at 5 PM on March 28 once it is built.
    """
    open_clinic(weekdays=range(7))
    people = SimpleNamespace(
        old_patient=cleared_patient("iv", legal_first_name="Ruth", legal_last_name="Old"),
        alex=cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan"),
        jordan=cleared_patient("iv", legal_first_name="Jordan", legal_last_name="Lee"),
        casey=cleared_patient("iv", legal_first_name="Casey", legal_last_name="Park"),
    )
    with time_machine.travel(at(day(27, 2), 12), tick=False) as clock:

        def now(moment):
            clock.move_to(moment)
            return moment

        def two(**kwargs):
            return receive(by=nurse, checked_by=nurse_b, **kwargs)

        expires = datetime.date(2026, 6, 30)
        old = two(lot="KOLD", invoice="INV-227", expires_on=expires)[0]
        late_record = session_record(patient=people.old_patient, starts_at=at(day(28, 2), 22))
        feb_dose = administrations.dose_draw(
            record=late_record, container=old, mg=D(20), by=nurse, at=now(at(day(28, 2), 23, 50))
        )
        first_dose = administrations.dose_draw(
            record=late_record, container=old, mg=D(10), by=nurse, at=now(at(day(1), 0, 10))
        )
        first_biennial = counts.count_save(
            kind=CountKind.BIENNIAL,
            location=safe(),
            counted={old: (D("9.4"), "")},
            by=nurse,
            second_counter=nurse_b,
            at=now(at(day(2), 8)),
        )
        now(at(day(3), 12))
        v1, v2, v3 = two(count=3, lot="KA1", invoice="INV-301", expires_on=expires)
        record_a = session_record(patient=people.alex, starts_at=at(day(4), 9))
        dose_a = administrations.dose_draw(
            record=record_a, container=v1, mg=D(35), by=nurse, at=now(at(day(4), 9, 30))
        )
        waste_a = ledger.container_waste(
            container=v1,
            mg=D(15),
            reason="Drawn up, not given",
            by=nurse,
            witness=nurse_b,
            at=now(at(day(4), 10, 30)),
        )
        now(at(day(5), 12))
        w1, w2 = two(count=2, product=ketamine_100(), lot="KB2", invoice="INV-302")
        (device,) = two(product=esketamine_device(), lot="EK9", invoice="INV-303")
        record_b = session_record(patient=people.jordan, starts_at=at(day(11), 9))
        wrong = administrations.dose_draw(
            record=record_b, container=v1, mg=D(50), by=nurse, at=now(at(day(11), 9, 15))
        )
        now(at(day(11), 9, 20))
        reversal = administrations.draw_correct(
            entry=wrong, reason="Drawn from the wrong vial", by=nurse
        )
        dose_b = administrations.dose_draw(
            record=record_b, container=v2, mg=D(50), by=nurse, at=now(at(day(11), 9, 25))
        )
        record_c = session_record(patient=people.casey, starts_at=at(day(12), 13, 30))
        dose_c = administrations.dose_draw(
            record=record_c, container=w1, mg=D(40), by=nurse, at=now(at(day(12), 14))
        )
        waste_w1 = ledger.container_waste(
            container=w1,
            mg=D(460),
            reason="Single-dose vial",
            by=nurse,
            witness=nurse_b,
            at=now(at(day(13), 10)),
        )
        dropped = ledger.container_waste(
            container=v2,
            mg=D(5),
            reason="Dropped syringe",
            by=nurse,
            witness=nurse_b,
            at=now(at(day(13), 10, 5)),
        )
        now(at(day(13), 10, 10))
        undropped = ledger.entry_correct(
            entry=dropped, reason="Recorded on the wrong vial", by=provider
        )
        cracked = ledger.loss_report(
            kind=LossReport.Kind.LOSS,
            discovered_at=now(at(day(14), 16)),
            description="Vial found cracked in the safe",
            losses=[(v1, D(5))],
            by=nurse,
        )
        LossNotice.objects.create(
            report=cracked, reported_at=at(day(17), 10), reference="106-0317", recorded_by=nurse
        )
        theft = ledger.loss_report(
            kind=LossReport.Kind.THEFT,
            discovered_at=now(at(day(20), 11)),
            description="Seal broken, fluid missing",
            losses=[(v3, D(10))],
            by=nurse,
        )
        monthly = counts.count_save(
            kind=CountKind.MONTHLY,
            location=safe(),
            counted={
                old: (D("9.4"), ""),
                v1: (D("8.7"), "Residue in the vial hub"),
                v2: (D("9.1"), "Meniscus read high"),
                v3: (D("9.8"), ""),
                w2: (D(5), ""),
                device: (D("0.2"), ""),
            },
            by=nurse,
            second_counter=nurse_b,
            at=now(at(day(20), 18)),
        )
        now(at(day(21), 9))
        hub, meniscus = monthly.lines.order_by("container__pk").filter(container__in=[v1, v2])
        counts.difference_resolve(line=hub, note="Accepted the count", adjust=True, by=provider)
        latest_biennial = counts.count_save(
            kind=CountKind.BIENNIAL,
            location=safe(),
            counted={
                old: (D("9.4"), ""),
                v1: (D("8.7"), ""),
                v2: (D(9), ""),
                v3: (D("9.8"), ""),
                w2: (D(5), ""),
                device: (D("0.2"), ""),
            },
            by=nurse,
            second_counter=nurse_b,
            note="Opening of business",
            at=now(at(day(25), 8)),
        )
        now(at(NOW_DAY, 17))
        yield SimpleNamespace(**locals(), **vars(people))


def get(client, name, *args, **query):
    return client.get(reverse(f"controlled:{name}", args=args), query)


# The administration log


def test_the_administration_log_lists_each_dose_of_the_month_and_its_correction(
    client_for, nurse, month
):
    response = get(client_for(nurse), "report_administrations")

    assert response.status_code == 200
    rows = body_rows(response, "Administrations, oldest first")
    assert [row[0] for row in rows] == [
        str(entry.pk)
        for entry in (
            month.first_dose,
            month.dose_a,
            month.wrong,
            month.reversal,
            month.dose_b,
            month.dose_c,
        )
    ]
    assert rows[0] == [
        str(month.first_dose.pk),
        "Mar 1, 2025 12:10 AM",
        f"Ruth Old MRN {month.old_patient.mrn}",
        "Ketamine hydrochloride 50 mg/mL, 10 mL vial",
        "10",
        "0.2",
        f"{month.old.label} lot KOLD",
        str(nurse),
        "",
    ]
    assert rows[3][4:6] == ["-50", "-1"]
    assert rows[3][8] == (
        f"Reverses entry {month.wrong.pk} of Mar 11, 2025 9:15 AM: Drawn from the wrong vial"
    )
    assert rows[5][3:6] == ["Ketamine hydrochloride 100 mg/mL, 5 mL vial", "40", "0.4"]
    assert body_rows(response, "Total given in the range, by product (corrections taken off)") == [
        [K100, "0143-9508-01", "1", "40", "0.4"],
        [K50, "0409-2051-05", "5", "95", "1.9"],
    ]


def test_the_administration_log_csv_has_the_same_lines_and_adds_up_to_the_ledger(
    client_for, nurse, month
):
    response = get(
        client_for(nurse),
        "report_administrations_csv",
        **{"from": "2025-03-01", "to": "2025-03-28"},
    )

    assert response.status_code == 200
    assert "administrations-2025-03-01-to-2025-03-28.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["entry"] for row in rows] == [
        str(e.pk)
        for e in (month.first_dose, month.dose_a, month.wrong, month.reversal, month.dose_b)
    ] + [str(month.dose_c.pk)]
    assert rows[1] == {
        "entry": str(month.dose_a.pk),
        "date and time": "2025-03-04T09:30-08:00",
        "patient": "Alex Morgan",
        "MRN": month.alex.mrn,
        "drug": "Ketamine hydrochloride",
        "product": K50,
        "strength": "50 mg/mL, 10 mL vial",
        "mg given": "35.000",
        "mL given": "0.700",
        "container": month.v1.label,
        "lot": "KA1",
        "given by": str(nurse),
        "correction of": "",
    }
    assert rows[3]["date and time"] == "2025-03-11T09:20-07:00"  # after the clocks went forward
    assert rows[3]["correction of"] == (
        f"Reverses entry {month.wrong.pk} of 2025-03-11T09:15-07:00: Drawn from the wrong vial"
    )
    drawn = LedgerEntry.objects.filter(at__gte=at(MARCH, 0), at__lt=at(day(29), 0)).filter(
        Q(kind="administration") | Q(kind="correction", corrects__kind="administration")
    )
    ledger_out = -sum(entry.mg for entry in drawn)
    assert sum(Decimal(row["mg given"]) for row in rows) == ledger_out == Decimal(135)


def test_a_range_ends_at_the_clinics_local_midnight(client_for, nurse, month):
    client = client_for(nurse)

    february = get(
        client, "report_administrations_csv", **{"from": "2025-02-01", "to": "2025-02-28"}
    )
    first_ten_days = get(
        client, "report_administrations", **{"from": "2025-03-01", "to": "2025-03-10"}
    )

    assert [row["entry"] for row in csv_rows(february)] == [str(month.feb_dose.pk)]
    rows = body_rows(first_ten_days, "Administrations, oldest first")
    assert [row[0] for row in rows] == [str(month.first_dose.pk), str(month.dose_a.pk)]


def test_reading_the_administration_log_is_written_to_the_access_log(client_for, nurse, month):
    client = client_for(nurse)

    get(client, "report_administrations")
    b"".join(get(client, "report_administrations_csv").streaming_content)

    kinds = AccessLogEntry.objects.filter(user=nurse).values_list("kind", "subject")
    assert list(kinds.order_by("pk")) == [
        (
            AccessKind.CLINIC_REPORT,
            "Controlled-substance administrations, 2025-03-01 to 2025-03-28",
        ),
        (
            AccessKind.CLINIC_REPORT_CSV,
            "Controlled-substance administrations, 2025-03-01 to 2025-03-28",
        ),
    ]


# Receipts


def test_the_receipts_report_lists_each_delivery_line_of_the_range(client_for, nurse, month):
    response = get(client_for(nurse), "report_receipts")

    rows = body_rows(response, "Delivery lines, oldest first")
    assert [row[2] for row in rows] == ["INV-301", "INV-302", "INV-303"]
    assert rows[0] == [
        "Mar 3, 2025",
        "Valley Medical Supply 1 Depot Road, Oakland, CA DEA AB1234563",
        "INV-301",
        f"{K50} NDC 0409-2051-05",
        "KA1 expires Jun 30, 2026",
        "3",
        "1500",
        str(nurse),
        str(month.nurse_b),
    ]
    assert body_rows(response, "Total received in the range, by product") == [
        [ESK, "50458-028-02", "1", "28", "0.2"],
        [K100, "0143-9508-01", "2", "1000", "10"],
        [K50, "0409-2051-05", "3", "1500", "30"],
    ]


def test_the_receipts_csv_gives_the_supplier_registration_and_each_total(client_for, nurse, month):
    rows = csv_rows(get(client_for(nurse), "report_receipts_csv"))

    assert [row["invoice number"] for row in rows] == ["INV-301", "INV-302", "INV-303"]
    assert rows[1] == {
        "date received": "2025-03-05",
        "supplier": "Valley Medical Supply",
        "supplier address": "1 Depot Road, Oakland, CA",
        "supplier DEA number": "AB1234563",
        "invoice number": "INV-302",
        "product": K100,
        "NDC": "0143-9508-01",
        "lot": "KB2",
        "expires": rows[1]["expires"],
        "containers": "2",
        "total mg": "1000.000",
        "total mL": "10.000",
        "received by": str(nurse),
        "checked by": str(month.nurse_b),
    }
    received = sum(
        e.mg for e in LedgerEntry.objects.filter(kind="receipt", receipt__received_on__gte=MARCH)
    )
    assert sum(Decimal(row["total mg"]) for row in rows) == received == Decimal(2528)


# Waste


def test_the_waste_report_shows_each_waste_with_its_witness_and_corrections(
    client_for, nurse, month
):
    response = get(client_for(nurse), "report_waste")

    rows = body_rows(response, "Waste, oldest first")
    assert [row[0] for row in rows] == [
        str(e.pk) for e in (month.waste_a, month.waste_w1, month.dropped, month.undropped)
    ]
    assert rows[0] == [
        str(month.waste_a.pk),
        "Mar 4, 2025 10:30 AM",
        f"{month.v1.label}, {K50} lot KA1",
        "15",
        "0.3",
        "Drawn up, not given",
        str(nurse),
        str(month.nurse_b),
    ]
    assert rows[3][3:6] == [
        "-5",
        "-0.1",
        f"Reverses entry {month.dropped.pk} of Mar 13, 2025 10:05 AM: Recorded on the wrong vial",
    ]
    assert body_rows(response, "Total wasted in the range, by product (corrections taken off)") == [
        [K100, "0143-9508-01", "1", "460", "4.6"],
        [K50, "0409-2051-05", "3", "15", "0.3"],
    ]


def test_the_waste_csv_names_who_wasted_and_who_witnessed(client_for, nurse, month):
    rows = csv_rows(get(client_for(nurse), "report_waste_csv"))

    assert [(row["mg wasted"], row["by"], row["witness"]) for row in rows] == [
        ("15.000", str(nurse), str(month.nurse_b)),
        ("460.000", str(nurse), str(month.nurse_b)),
        ("5.000", str(nurse), str(month.nurse_b)),
        ("-5.000", str(month.provider), ""),  # reversing a witnessed waste: a provider's call
    ]
    assert rows[1]["container"] == month.w1.label
    assert rows[1]["reason"] == "Single-dose vial"
    assert rows[3]["correction of"].startswith(f"Reverses entry {month.dropped.pk} of ")


# The biennial inventory


def test_the_inventory_shows_the_latest_biennial_count_by_default(client_for, nurse, month):
    response = get(client_for(nurse), "report_inventory")

    assert response.context["count"] == month.latest_biennial
    content = response.content.decode()
    assert "Mar 25, 2025 8:00 AM" in content
    assert "Opening of business" in content
    rows = body_rows(response, "Each container counted")
    assert [row[0] for row in rows] == [
        month.device.label,
        month.w2.label,
        *(c.label for c in (month.old, month.v1, month.v2, month.v3)),
    ]
    assert rows[3] == [
        month.v1.label,
        K50,
        "0409-2051-05",
        "KA1",
        "Jun 30, 2026",
        "8.7",
        "435",
        "435",
        "",
    ]
    assert body_rows(response, "Counted, by product") == [
        [ESK, "50458-028-02", "1", "0.2", "28", "28"],
        [K100, "0143-9508-01", "1", "5", "500", "500"],
        [K50, "0409-2051-05", "4", "36.9", "1845", "1845"],
    ]


def test_an_earlier_inventory_can_be_chosen_and_downloaded(client_for, nurse, month):
    client = client_for(nurse)

    page = get(client, "report_inventory", count=month.first_biennial.pk)
    rows = csv_rows(get(client, "report_inventory_csv", count=month.first_biennial.pk))

    assert [row[0] for row in body_rows(page, "Each container counted")] == [month.old.label]
    assert rows == [
        {
            "counted at": "2025-03-02T08:00-08:00",
            "location": "Treatment room safe",
            "counted by": str(nurse),
            "second counter": str(month.nurse_b),
            "container": month.old.label,
            "product": K50,
            "NDC": "0409-2051-05",
            "lot": "KOLD",
            "expires": "2026-06-30",
            "counted mL": "9.400",
            "counted mg": "470.000",
            "ledger mg": "470.000",
            "explanation": "",
        }
    ]


def test_the_inventorys_counts_agree_with_the_ledger_at_that_time(client_for, nurse, month):
    rows = csv_rows(get(client_for(nurse), "report_inventory_csv"))

    taken = at(day(25), 8)
    for row in rows:
        container = LedgerEntry.objects.filter(
            container__receipt_id=int(row["container"].split("-")[0]),
            container__number=int(row["container"].split("-")[1]),
            at__lte=taken,
        )
        assert Decimal(row["counted mg"]) == sum(e.mg for e in container)


# Discrepancies and losses


def test_discrepancies_show_each_difference_and_its_resolution(client_for, nurse, month):
    response = get(client_for(nurse), "report_discrepancies")

    rows = body_rows(response, "Each count line that differed, oldest first")
    assert rows == [
        [
            "Mar 20, 2025 6:00 PM Treatment room safe",
            f"{month.v1.label}, {K50} lot KA1",
            "445",
            "435",
            "-10 (-0.2)",
            "Residue in the vial hub",
            f"{nurse}, {month.nurse_b}",
            f"Accepted the count {month.provider}, Mar 21, 2025 9:00 AM; ledger adjusted by -10 mg",
        ],
        [
            "Mar 20, 2025 6:00 PM Treatment room safe",
            f"{month.v2.label}, {K50} lot KA1",
            "450",
            "455",
            "5 (0.1)",
            "Meniscus read high",
            f"{nurse}, {month.nurse_b}",
            "Not resolved yet",
        ],
    ]
    assert body_rows(response, "Count differences in the range, by product") == [
        [K50, "0409-2051-05", "2", "-5", "-10"],
    ]


def test_losses_show_the_deadline_and_whether_dea_was_told(client_for, nurse, month):
    response = get(client_for(nurse), "report_discrepancies")

    rows = body_rows(response, "Each loss report, oldest first")
    assert rows == [
        [
            "Mar 14, 2025 4:00 PM",
            "Loss: Vial found cracked in the safe",
            f"{month.v1.label}, lot KA1: -5 mg (-0.1 mL)",
            "5",
            str(nurse),
            "Mar 17, 2025 11:59 PM",
            "Mar 17, 2025 10:00 AM, Form 106 106-0317 (in time)",
        ],
        [
            "Mar 20, 2025 11:00 AM",
            "Theft: Seal broken, fluid missing",
            f"{month.v3.label}, lot KA1: -10 mg (-0.2 mL)",
            "10",
            str(nurse),
            "Mar 21, 2025 11:59 PM",
            "Not told: overdue",
        ],
    ]
    assert body_rows(response, "Lost in the range, by product") == [
        [K50, "0409-2051-05", "2", "15", "0.3"],
    ]


def test_the_discrepancies_csv_has_the_count_lines_then_the_losses(client_for, nurse, month):
    rows = csv_rows(get(client_for(nurse), "report_discrepancies_csv"))

    assert [(row["record"], row["container"], row["difference mg"]) for row in rows] == [
        ("Count difference", month.v1.label, "-10.000"),
        ("Count difference", month.v2.label, "5.000"),
        (f"Loss (report {month.cracked.pk})", month.v1.label, "-5.000"),
        (f"Theft (report {month.theft.pk})", month.v3.label, "-10.000"),
    ]
    assert rows[0]["resolution"] == "Accepted the count"
    assert rows[0]["resolved by"] == str(month.provider)
    assert rows[0]["ledger adjusted by mg"] == "-10.000"
    assert rows[1]["resolution"] == "Not resolved"
    assert rows[2]["DEA to be told by"] == "2025-03-17T23:59-07:00"
    assert rows[2]["DEA told at"] == "2025-03-17T10:00-07:00"
    assert rows[2]["DEA Form 106 reference"] == "106-0317"
    assert rows[3]["DEA told at"] == ""
    assert rows[3]["location"] == "Treatment room safe"


# Running balances


def test_the_running_balance_of_a_container_follows_each_entry(client_for, nurse, month):
    response = get(client_for(nurse), "report_container_balance", month.v1.pk)

    rows = body_rows(response, f"Entries of container {month.v1.label}, oldest first")
    assert [(row[2].split(" Treatment")[0], row[3], row[5]) for row in rows] == [
        ("Received", "500", "500"),
        ("Given to a patient", "-35", "465"),
        ("Wasted, witnessed", "-15", "450"),
        ("Given to a patient", "-50", "400"),
        ("Correction", "50", "450"),
        ("Lost or stolen", "-5", "445"),
        ("Count adjustment", "-10", "435"),
    ]
    assert rows[-1][6] == "8.7"
    assert ledger.balance(month.v1) == (Decimal(435), Decimal("8.7"))
    assert AccessLogEntry.objects.filter(kind=AccessKind.CLINIC_REPORT, user=nurse).exists()


def test_the_running_balance_csv_ends_at_the_ledgers_balance(client_for, nurse, month):
    client = client_for(nurse)

    for container in (month.old, month.v1, month.v2, month.v3, month.w1, month.w2, month.device):
        rows = csv_rows(get(client, "report_container_balance_csv", container.pk))
        mg, ml = ledger.balance(container)
        assert (Decimal(rows[-1]["balance mg"]), Decimal(rows[-1]["balance mL"])) == (mg, ml)
        assert sum(Decimal(row["mg"]) for row in rows) == mg


def test_the_list_of_containers_shows_each_balance_and_the_totals_held(client_for, nurse, month):
    client = client_for(nurse)

    page = get(client, "report_balances")
    rows = csv_rows(get(client, "report_balances_csv"))

    listed = {row[0]: row[5] for row in body_rows(page, "Containers, latest delivery first")}
    assert listed == {
        month.old.label: "470",
        month.v1.label: "435",
        month.v2.label: "450",
        month.v3.label: "490",
        month.w1.label: "0",
        month.w2.label: "500",
        month.device.label: "28",
    }
    assert {row["container"]: Decimal(row["balance mg"]) for row in rows} == {
        label: Decimal(mg) for label, mg in listed.items()
    }
    assert body_rows(page, "Held now, by product") == [
        [ESK, "50458-028-02", "1", "28", "0.2"],
        [K100, "0143-9508-01", "2", "500", "5"],
        [K50, "0409-2051-05", "4", "1845", "36.9"],
    ]


# Pages, forms and access


def test_the_index_lists_the_six_reports(client_for, nurse):
    response = client_for(nurse).get(reverse("controlled:report_index"))

    for name in ("administrations", "receipts", "waste", "inventory", "discrepancies", "balances"):
        assert reverse(f"controlled:report_{name}") in response.content.decode()


def test_each_report_says_so_plainly_when_it_is_empty(client_for, nurse, db):
    client = client_for(nurse)

    assert "No doses were drawn" in get(client, "report_administrations").content.decode()
    assert "No deliveries were received" in get(client, "report_receipts").content.decode()
    assert "Nothing was wasted" in get(client, "report_waste").content.decode()
    assert (
        "No biennial inventory has been recorded"
        in get(client, "report_inventory").content.decode()
    )
    assert "No loss or theft" in get(client, "report_discrepancies").content.decode()
    assert "No container has been received" in get(client, "report_balances").content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "abc"}, "Enter a valid date."),
        ({"from": "99999999999999999999-01-01", "to": "2025-01-01"}, "Enter a valid date."),
        ({"from": "2025-03-10", "to": "2025-03-01"}, "The last day comes before the first"),
        ({"from": "2024-01-01", "to": "2025-03-01"}, "Choose at most 366 days"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "Enter a date from 2000 to 2099."),
        ({"from": "2025-03-01", "to": "2025-03-28", "page": "99999999999999999999"}, ""),
        ({"from": "2025-03-01", "to": "2025-03-28", "page": "abc"}, ""),
    ],
)
@pytest.mark.parametrize(
    "name",
    [
        "report_administrations",
        "report_administrations_csv",
        "report_receipts",
        "report_waste_csv",
        "report_discrepancies",
        "report_discrepancies_csv",
    ],
)
def test_a_hostile_query_string_gets_a_plain_message(client_for, nurse, name, query, message):
    response = get(client_for(nurse), name, **query)

    assert response.status_code == 200
    if message:
        assert message in response.content.decode()


@pytest.mark.parametrize("count", ["abc", "99999999999999999999", "-1"])
def test_an_unknown_inventory_gets_a_plain_message(client_for, nurse, count):
    for name in ("report_inventory", "report_inventory_csv"):
        response = get(client_for(nurse), name, count=count)

        assert response.status_code == 200
        assert "Choose an inventory from the list above." in response.content.decode()


def test_a_nul_byte_is_refused_without_a_server_error(client_for, nurse):
    response = get(client_for(nurse), "report_administrations", **{"from": "2025-03-01\x00"})

    assert response.status_code == 400


def test_an_unknown_container_is_not_found(client_for, nurse):
    client = client_for(nurse)

    assert get(client, "report_container_balance", 99999999999999999999).status_code == 404
    assert get(client, "report_container_balance_csv", 123456).status_code == 404


def _url(name):
    rule = ACCESS[name]
    return reverse(name, kwargs=rule.kwargs() if rule.kwargs else None)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_the_front_desk_cannot_open_a_report(client_for, front_desk, name):
    assert client_for(front_desk).get(_url(name)).status_code == 403


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, db, name):
    response = client.get(_url(name))

    assert ACCESS[name].anonymous == LOGIN
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", ["nurse", "provider", "clinic_admin"])
def test_every_custodian_opens_every_report(client_for, personas, role):
    client = client_for(personas[role])

    for name in sorted(ACCESS):
        assert client.get(_url(name)).status_code == 200, name


# Query counts: the same at two sizes


def _activity(*, first_day, rounds, nurse, nurse_b, provider, also_from=None):
    """`rounds` deliveries in March, each drawn, corrected, wasted, lost and counted; with
    `also_from`, a milligram more is drawn from that container each round."""
    with time_machine.travel(at(day(first_day), 8), tick=False) as clock:
        for number in range(first_day, first_day + rounds):
            clock.move_to(at(day(number), 8))
            vial = receive(by=nurse, checked_by=nurse_b, lot=f"L{number}", invoice=f"I{number}")[0]
            record = session_record(starts_at=at(day(number), 9))
            dose = administrations.dose_draw(
                record=record, container=vial, mg=D(20), by=nurse, at=at(day(number), 9)
            )
            if also_from:
                administrations.dose_draw(
                    record=record, container=also_from, mg=D(1), by=nurse, at=at(day(number), 9)
                )
            clock.move_to(at(day(number), 10))
            administrations.draw_correct(entry=dose, reason="Wrong patient", by=nurse)
            administrations.dose_draw(record=record, container=vial, mg=D(10), by=nurse)
            ledger.container_waste(
                container=vial, mg=D(5), reason="Left", by=nurse, witness=nurse_b
            )
            ledger.loss_report(
                kind=LossReport.Kind.LOSS,
                discovered_at=at(day(number), 10),
                description="Spilt",
                losses=[(vial, D(1))],
                by=nurse,
            )
        clock.move_to(at(day(20), 8))
        for kind in (CountKind.MONTHLY, CountKind.BIENNIAL):
            count = counts.count_save(
                kind=kind,
                location=safe(),
                counted={
                    container: (D("9.5"), "Less than the ledger")
                    for container in counts.containers_to_count(kind=kind, location=safe())
                },
                by=nurse,
                second_counter=nurse_b,
            )
        for line in count.lines.all():
            counts.difference_resolve(line=line, note="Seen", adjust=False, by=provider)
    return vial


QUERIES = {
    "report_index": 7,
    "report_administrations": 11,
    "report_receipts": 10,
    "report_waste": 10,
    "report_inventory": 12,
    "report_discrepancies": 13,
    "report_balances": 10,
    "report_container_balance": 11,
}


def _rows(response):
    page = response.context.get("page")
    return page.paginator.count if page else 0


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_report_page_reads_as_many_times_for_many_rows_as_for_few(
    client_for, nurse, nurse_b, provider, name, django_assert_num_queries
):
    people = {"nurse": nurse, "nurse_b": nurse_b, "provider": provider}
    first = _activity(first_day=2, rounds=1, **people)
    args = [first.pk] if name == "report_container_balance" else []
    with time_machine.travel(at(day(28), 17), tick=False):
        client = client_for(nurse)
        get(client, name, *args)  # the session, the clinic settings, the nurse's access
        with django_assert_num_queries(QUERIES[name]):
            few = get(client, name, *args)

    _activity(first_day=3, rounds=4, also_from=first, **people)

    with time_machine.travel(at(day(28), 17), tick=False), django_assert_num_queries(QUERIES[name]):
        many = get(client, name, *args)
    assert few.status_code == many.status_code == 200
    assert name == "report_index" or _rows(many) > _rows(few)


def test_a_report_page_offers_the_csv_of_its_range_and_prints_without_inline_script(
    client_for, nurse
):
    response = get(client_for(nurse), "report_waste", **{"from": "2025-01-01", "to": "2025-01-31"})

    content = response.content.decode()
    csv_url = reverse("controlled:report_waste_csv") + "?from=2025-01-01&amp;to=2025-01-31"
    assert f'href="{csv_url}"' in content
    assert "data-print" in content
    assert "js/controlled/print.js" in content
    assert "css/controlled_print.css" in content
    assert "<script>" not in content


def test_the_print_stylesheet_fits_a4_and_letter():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/controlled_print.css")) as stylesheet:
        css = stylesheet.read()

    page_rule = css.split("@page {")[1].split("\n}")[0]
    assert "size: auto;" in page_rule  # the printer's paper, A4 or Letter
    assert "margin: 15mm;" in page_rule
    assert 'counter(page) " of " counter(pages)' in page_rule
    assert "max-width: 180mm" in css


def test_a_long_report_is_shown_a_page_at_a_time_and_the_csv_has_every_row(
    client_for, nurse, month, monkeypatch
):
    monkeypatch.setattr("controlled.views.reports.ROWS_PER_PAGE", 4)
    client = client_for(nurse)

    first = get(client, "report_administrations")
    second = get(
        client, "report_administrations", page=2, **{"from": "2025-03-01", "to": "2025-03-28"}
    )
    every = csv_rows(get(client, "report_administrations_csv"))

    assert "Rows 1–4 of 6; the CSV has them all." in first.content.decode()
    assert "page=2" in first.content.decode()
    shown = body_rows(first, "Administrations, oldest first") + body_rows(
        second, "Administrations, oldest first"
    )
    assert [row[0] for row in shown] == [row["entry"] for row in every]
    assert len(every) == 6


def test_a_report_offers_this_month_and_last_month(client_for, nurse):
    with time_machine.travel(datetime.datetime(2025, 4, 1, 12, tzinfo=datetime.UTC)):
        response = client_for(nurse).get(reverse("controlled:report_administrations"))
    assert '<a href="?from=2025-04-01&amp;to=2025-04-01">This month</a>' in response.text
    assert '<a href="?from=2025-03-01&amp;to=2025-03-31">Last month</a>' in response.text
