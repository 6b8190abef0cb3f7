"""CSV exports and the clinic report. Cells are neutralised against formula injection."""

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clinic.instruments import InstrumentCode
from clinic.models import Clinic, OutcomeMeasure, Patient
from clinic.spreadsheets import csv_text
from scheduling.models import Appointment


def patient_rows(patient):
    """(header, rows): every appointment and every score of one patient, oldest first."""
    zone = Clinic.load().zone
    rows = []
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("route", "room", "clinician")
        .order_by("starts_at")
    )
    for a in appointments:
        local = a.starts_at.astimezone(zone)
        rows.append(
            (
                local.strftime("%Y-%m-%d %H:%M"),
                "appointment",
                a.get_kind_display(),
                a.route.name,
                a.room.name if a.room else "",
                str(a.clinician),
                a.get_status_display(),
                "",
                "",
            )
        )
    for m in OutcomeMeasure.objects.filter(patient=patient).order_by("taken_at", "pk"):
        local = m.taken_at.astimezone(zone)
        rows.append(
            (
                local.strftime("%Y-%m-%d %H:%M"),
                "score",
                m.get_instrument_display(),
                "",
                "",
                "",
                m.get_source_display(),
                m.total,
                m.band,
            )
        )
    rows.sort(key=lambda row: row[0])
    header = ["when", "type", "what", "route", "room", "clinician", "status or source", "total",
              "band"]  # fmt: skip
    return header, rows


def report_months(*, first_month, months=12):
    """Per month: sessions by route, no-show rate; and the average PHQ-9 change from baseline."""
    zone = Clinic.load().zone
    start = datetime.datetime.combine(first_month, datetime.time(), tzinfo=zone)
    last = first_month
    for _ in range(months):
        last = (last + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.datetime.combine(last, datetime.time(), tzinfo=zone)
    sessions = (
        Appointment.objects.sessions()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(month=TruncMonth("starts_at", tzinfo=zone))
        .values("month", "route__name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month = defaultdict(lambda: {"routes": defaultdict(int), "held": 0, "no_show": 0})
    routes = set()
    for row in sessions:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        entry = by_month[month]
        if row["status"] == Appointment.Status.COMPLETED:
            entry["routes"][row["route__name"]] += row["n"]
            routes.add(row["route__name"])
            entry["held"] += row["n"]
        elif row["status"] == Appointment.Status.NO_SHOW:
            entry["no_show"] += row["n"]
    routes = sorted(routes)
    rows = []
    for month in sorted(by_month):
        entry = by_month[month]
        due = entry["held"] + entry["no_show"]
        rate = round(100 * entry["no_show"] / due, 1) if due else None
        rows.append(
            {
                "month": month,
                "by_route": [entry["routes"].get(route, 0) for route in routes],
                "held": entry["held"],
                "no_show": entry["no_show"],
                "no_show_rate": rate,
            }
        )
    return {"routes": routes, "rows": rows, "phq9": phq9_change()}


def phq9_change():
    """Average latest-minus-baseline PHQ-9 over patients with at least two scores, in SQL.

    One row per patient with a score, each reading its first and latest score
    through the (patient, instrument, taken_at) index.
    """
    scores = OutcomeMeasure.objects.filter(
        instrument=InstrumentCode.PHQ9, patient=OuterRef("pk")
    ).order_by()
    second = scores.order_by("taken_at", "pk").values("pk")[1:2]
    baseline = scores.order_by("taken_at", "pk").values("total")[:1]
    latest = scores.order_by("-taken_at", "-pk").values("total")[:1]
    patients = (
        Patient.objects.filter(Exists(second))
        .annotate(change=Subquery(latest) - Subquery(baseline))
        .order_by()
    )
    result = patients.aggregate(patients=Count("pk"), average=Avg("change"))
    average = result["average"]
    return {
        "patients": result["patients"],
        "average_change": round(float(average), 1) if average is not None else None,
    }


def report_csv(report):
    header = ["month", *[f"sessions {r}" for r in report["routes"]], "sessions held", "no-shows",
              "no-show rate %"]  # fmt: skip
    rows = [
        (r["month"].strftime("%Y-%m"), *r["by_route"], r["held"], r["no_show"], r["no_show_rate"])
        for r in report["rows"]
    ]
    phq9 = report["phq9"]
    rows.append(())
    rows.append(("average PHQ-9 change from baseline", phq9["average_change"], "patients",
                 phq9["patients"]))  # fmt: skip
    return csv_text(header, rows)


REPORT_CACHE_SECONDS = 300


def clinic_report(*, today=None):
    """The last 12 months' report, computed at most every five minutes.

    It aggregates years of sessions and scores in SQL; figures a few minutes old
    are fine for a monthly report, and every provider opening it shares one run.
    """
    first_month = report_first_month(today)

    def compute():
        return {**report_months(first_month=first_month), "computed_at": timezone.now()}

    return cache.get_or_set(f"clinic-report:{first_month}", compute, REPORT_CACHE_SECONDS)


def report_first_month(today=None):
    today = today or timezone.localdate()
    month = today.replace(day=1)
    for _ in range(11):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month
