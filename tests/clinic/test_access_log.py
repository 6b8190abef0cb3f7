"""The read log: every view of patient data leaves one row that cannot be rewritten."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.append_only import TRIGGER, append_only_tables
from clinic.models import AccessKind, AccessLogEntry, Patient
from scheduling.models import CalendarFeed
from tests.intake.factories import submitted_intake
from tests.scheduling.access import appointment_pk
from tests.two_factor import log_in_verified

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "198.51.100.7"}


def only_entry():
    [entry] = AccessLogEntry.objects.all()
    return entry


def test_opening_a_patient_page_writes_who_what_and_from_where(client_for, nurse, patient):
    response = client_for(nurse).get(reverse("clinic:patient_detail", args=[patient.pk]), **ADDRESS)

    assert response.status_code == 200
    entry = only_entry()
    assert (entry.user, entry.kind, entry.patient, entry.client_address) == (
        nurse,
        AccessKind.PATIENT_PAGE,
        patient,
        "198.51.100.7",
    )
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_a_session_record_is_logged_with_its_patient(client_for, nurse):
    pk = appointment_pk()["pk"]

    response = client_for(nurse).get(reverse("scheduling:session_record", args=[pk]), **ADDRESS)

    assert response.status_code == 200
    entry = only_entry()
    assert entry.kind == AccessKind.SESSION_RECORD
    assert entry.patient.appointments.filter(pk=pk).exists()
    assert entry.subject == f"Session record of appointment {pk}"


def test_an_intake_summary_is_logged(client_for, provider, patient):
    intake = submitted_intake(patient=patient)

    client_for(provider).get(reverse("intake:review", args=[intake.pk]), **ADDRESS)

    entry = only_entry()
    assert (entry.kind, entry.patient, entry.user) == (
        AccessKind.INTAKE_SUMMARY,
        patient,
        provider,
    )


def test_exports_and_reports_are_logged(client_for, provider, patient):
    client = client_for(provider)

    client.get(reverse("followups:patient_export", args=[patient.pk]))
    client.get(reverse("followups:clinic_report"))
    client.get(reverse("followups:clinic_report_csv"))

    assert list(AccessLogEntry.objects.order_by("pk").values_list("kind", "patient")) == [
        (AccessKind.PATIENT_EXPORT, patient.pk),
        (AccessKind.CLINIC_REPORT, None),
        (AccessKind.CLINIC_REPORT_CSV, None),
    ]


def test_a_calendar_feed_fetch_is_logged_without_a_user(client, nurse):
    feed = CalendarFeed.objects.create(clinician=nurse)

    response = client.get(feed.get_absolute_url(), **ADDRESS)

    assert response.status_code == 200
    entry = only_entry()
    assert (entry.kind, entry.user, entry.client_address) == (
        AccessKind.CALENDAR_FEED,
        None,
        "198.51.100.7",
    )
    assert entry.subject == f"Calendar feed of {nurse}"


def test_a_page_refused_to_a_role_writes_nothing(client_for, front_desk, patient):
    intake = submitted_intake(patient=patient)

    response = client_for(front_desk).get(reverse("intake:review", args=[intake.pk]))

    assert response.status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_clinic_admins_see_who_opened_the_record_on_the_patient_page(
    client_for, nurse, clinic_admin, patient
):
    client_for(nurse).get(reverse("clinic:patient_detail", args=[patient.pk]), **ADDRESS)

    response = client_for(clinic_admin).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert "Who opened this record" in response.text
    assert str(nurse) in response.text
    assert "198.51.100.7" in response.text


def test_other_roles_do_not_see_the_access_log(client_for, provider, patient):
    response = client_for(provider).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert "Who opened this record" not in response.text


@pytest.mark.parametrize("count", [2, 120])
def test_a_patients_access_log_page_is_bounded(
    client_for, clinic_admin, patient, count, django_assert_num_queries
):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(kind=AccessKind.PATIENT_PAGE, patient=patient) for _ in range(count)
    )
    client = client_for(clinic_admin)
    url = reverse("clinic:patient_access_log", args=[patient.pk])
    client.get(url)

    with django_assert_num_queries(11):  # the same for 2 or 120 entries
        response = client.get(url)

    assert len(response.context["page"].object_list) == min(
        count + 2, 50
    )  # and the two openings of this page


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@time_machine.travel(datetime.datetime(2026, 3, 10, 18, tzinfo=datetime.UTC), tick=False)
def test_the_whole_log_of_a_date_range_downloads_as_csv(client_for, clinic_admin, nurse, patient):
    def entry(day, hour):
        AccessLogEntry.objects.create(
            kind=AccessKind.PATIENT_PAGE,
            patient=patient,
            user=nurse,
            at=datetime.datetime(2026, 3, day, hour, tzinfo=timezone.get_current_timezone()),
            subject="=HYPERLINK(1)",
        )

    entry(1, 9)
    entry(2, 23)
    entry(3, 0)  # the day after the range, in the clinic's zone

    response = client_for(clinic_admin).get(
        reverse("clinic:access_log_export"), {"first_day": "2026-03-01", "last_day": "2026-03-02"}
    )

    assert response["Content-Disposition"] == (
        'attachment; filename="access-log-2026-03-01-to-2026-03-02.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == ["time", "user", "what", "patient MRN", "details", "client address"]
    assert [row[0][:13] for row in rows[1:]] == ["2026-03-01T09", "2026-03-02T23"]
    assert rows[1][1:5] == [nurse.email, "Patient page", patient.mrn, "'=HYPERLINK(1)"]
    assert AccessLogEntry.objects.filter(kind=AccessKind.ACCESS_LOG_CSV).count() == 1


def test_a_range_that_ends_before_it_starts_is_explained_and_kept(client_for, clinic_admin):
    response = client_for(clinic_admin).get(
        reverse("clinic:access_log_export"), {"first_day": "2026-03-05", "last_day": "2026-03-01"}
    )

    assert response.status_code == 200
    assert "The last day comes before the first: swap them." in response.text
    assert 'value="2026-03-05"' in response.text
    assert not AccessLogEntry.objects.exists()


@pytest.mark.postgres_only
def test_the_database_refuses_to_change_or_delete_a_log_entry(patient):
    entry = AccessLogEntry.objects.create(kind=AccessKind.PATIENT_PAGE, patient=patient)

    for rewrite in (
        lambda: AccessLogEntry.objects.filter(pk=entry.pk).update(subject="nothing to see"),
        lambda: AccessLogEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(IntegrityError, match="this table only grows"), transaction.atomic():
            rewrite()

    assert AccessLogEntry.objects.get(pk=entry.pk).subject == ""


@pytest.mark.postgres_only
def test_the_database_refuses_to_rewrite_change_history(patient):
    patient.phone = "4155550199"
    patient.save()
    history = Patient.history.model.objects.filter(id=patient.pk)

    with pytest.raises(IntegrityError, match="this table only grows"), transaction.atomic():
        history.update(phone="0000000000")
    with pytest.raises(IntegrityError, match="this table only grows"), transaction.atomic():
        history.delete()

    assert sorted(history.values_list("phone", flat=True)) == ["4155550100", "4155550199"]


@pytest.mark.postgres_only
def test_every_history_table_is_append_only():
    tables = append_only_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER],
        )
        guarded = {row[0] for row in cursor.fetchall()}

    assert "clinic_accesslogentry" in tables
    assert "scheduling_historicalappointment" in tables
    assert "clinic_historicalpatient_cleared_routes" in tables
    assert set(tables) <= guarded


def test_staff_accounts_are_deactivated_never_deleted(client, nurse):
    from tests.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    log_in_verified(client, superuser)

    response = client.post(reverse("admin:clinic_user_delete", args=[nurse.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert type(nurse).objects.filter(pk=nurse.pk).exists()


def test_page_titles_name_the_record_and_say_when_a_form_has_errors(
    client_for, clinic_admin, nurse
):
    pk = appointment_pk()["pk"]
    record = client_for(nurse).get(reverse("scheduling:session_record", args=[pk]))
    patient = record.context["appointment"].patient

    title = record.text.split("<title>")[1].split("</title>")[0]
    assert title.startswith(f"Session record · {patient.full_name}, ")

    refused = client_for(clinic_admin).get(
        reverse("clinic:access_log_export"), {"first_day": "2026-03-05", "last_day": "x"}
    )
    assert "<title>Error: Access log" in refused.text


def test_an_appointment_the_change_history_and_the_settings_record_are_logged(
    client_for, clinic_admin, front_desk
):
    pk = appointment_pk()["pk"]
    patient = Patient.objects.get(appointments__pk=pk)

    client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[pk]))
    admin = client_for(clinic_admin)
    admin.get(reverse("clinic:patient_history", args=[patient.pk]))
    admin.get(reverse("admin:clinic_patient_change", args=[patient.pk]))

    assert list(AccessLogEntry.objects.order_by("pk").values_list("kind", "patient")) == [
        (AccessKind.APPOINTMENT, patient.pk),
        (AccessKind.PATIENT_HISTORY, patient.pk),
        (AccessKind.PATIENT_SETTINGS, patient.pk),
    ]
