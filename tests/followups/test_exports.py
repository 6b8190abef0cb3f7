import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.measures import measure_record
from clinic.models import MeasureSource
from clinic.spreadsheets import safe_cell
from followups.exports import phq9_change, report_months
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.followups.factories import ended_series

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(value):
    assert safe_cell(value) == "'" + value


def test_plain_cells_are_left_alone():
    assert (safe_cell("Alex"), safe_cell(12), safe_cell(None)) == ("Alex", "12", "")


@pytest.mark.parametrize("value", [-1.3, -2, Decimal("-0.5"), 0.0])
def test_a_number_the_app_computed_stays_a_number(value):
    assert safe_cell(value) == str(value)


def test_the_report_csv_writes_a_negative_phq9_change_as_a_number(client_for, provider, db):
    patient = PatientFactory()
    phq9(patient, 15, 1)
    phq9(patient, 2, 5)

    response = client_for(provider).get(reverse("followups:clinic_report_csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    change = next(row for row in rows if row and row[0].startswith("average PHQ-9 change"))
    assert change[1] == "-13.0"


def phq9(patient, total, day):
    answers = [min(3, max(0, total - 3 * n)) for n in range(8)] + [0]
    return measure_record(
        patient=patient,
        instrument_code="phq9",
        answers=answers,
        source=MeasureSource.STAFF,
        taken_at=datetime.datetime(2026, 3, day, 12, tzinfo=datetime.UTC),
    )


def test_the_patient_csv_lists_appointments_and_scores(client_for, nurse, clinic_open):
    plan = ended_series(last_day=datetime.date(2026, 3, 6))
    patient = plan.patient
    clinician = plan.appointments.first().clinician
    clinician.first_name = "=HYPERLINK(1)"
    clinician.save()
    phq9(patient, 19, 1)

    response = client_for(nurse).get(reverse("followups:patient_export", args=[patient.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert f"patient-{patient.mrn}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[1] for row in rows[1:]].count("appointment") == 6
    assert rows[1][1:3] == ["score", "PHQ-9"] and rows[1][7] == "19"
    # The clinician's name is exported; one that a spreadsheet would run is quoted.
    assert rows[2][5].startswith("'=HYPERLINK(1)")


def test_the_front_desk_cannot_export_a_patient(client_for, front_desk, patient):
    response = client_for(front_desk).get(reverse("followups:patient_export", args=[patient.pk]))

    assert response.status_code == 403


def test_the_report_counts_sessions_per_route_no_shows_and_phq9_change(clinic_open):
    plan = ended_series(last_day=datetime.date(2026, 3, 10))
    Appointment.objects.filter(plan=plan, sequence=6).update(status="no_show")
    for total, day in ((20, 1), (10, 20)):
        phq9(plan.patient, total, day)
    phq9(PatientFactory(), 15, 2)  # one score only: no change to count

    report = report_months(first_month=datetime.date(2026, 1, 1), months=6)

    march = next(row for row in report["rows"] if row["month"] == datetime.date(2026, 3, 1))
    assert report["routes"] == ["IV infusion"]
    assert (march["by_route"], march["no_show"], march["no_show_rate"]) == ([5], 1, 16.7)
    assert phq9_change() == {"patients": 1, "average_change": -10.0}


def test_the_report_downloads_as_csv(client_for, provider, db):
    response = client_for(provider).get(reverse("followups:clinic_report_csv"))

    assert response.status_code == 200
    assert response.content.decode().startswith("month,")


def test_the_report_is_worked_out_once_for_five_minutes(client_for, provider, db):
    url = reverse("followups:clinic_report")
    client = client_for(provider)
    first = client.get(url)
    ended_series(last_day=timezone.localdate() - datetime.timedelta(days=1))

    again = client.get(url)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        later = client_for(provider).get(url)

    held = sum(row["held"] for row in again.context["report"]["rows"])
    assert held == sum(row["held"] for row in first.context["report"]["rows"]) == 0
    assert sum(row["held"] for row in later.context["report"]["rows"]) == 6
    assert "Figures as of" in again.text


def test_exports_are_not_kept_by_the_browser(client_for, provider, patient):
    client = client_for(provider)

    for url in [
        reverse("followups:patient_export", args=[patient.pk]),
        reverse("followups:clinic_report_csv"),
    ]:
        response = client.get(url)

        assert response.status_code == 200
        assert {"no-store", "private"} <= {
            part.strip() for part in response["Cache-Control"].split(",")
        }
