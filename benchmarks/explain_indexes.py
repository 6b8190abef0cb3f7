"""EXPLAIN ANALYZE, with and without each index the pages rely on, on a seed_scale database.

Run: DEBUG=1 BENCH_DATABASE_URL=postgres://.../clinic_bench \
         .venv/bin/python benchmarks/explain_indexes.py
Each "without" plan drops the index inside a transaction that is rolled back, so the
database is left as it was. Prints markdown for docs/BENCHMARKS.md. Numbers, not a test.
"""

import datetime
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.models import Patient, User  # noqa: E402
from followups.worklist import Worklist  # noqa: E402
from scheduling.models import Appointment, SessionRecord, TreatmentPlan  # noqa: E402


def sql_of(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def plan(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    time = next(line for line in lines if line.startswith("Execution Time"))
    scans = [
        re.sub(r"\s+\(cost.*", "", line.strip().lstrip("-> "))
        for line in lines
        if re.search(r"(Seq|Index|Bitmap Index|Index Only) Scan", line)
    ]
    return time.split(": ")[1], scans


def compare(title, why, index, sql, before_sql=None):
    after_time, after_scans = plan(sql)
    with transaction.atomic():
        if index:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP INDEX IF EXISTS "{index}"')
        before_time, before_scans = plan(before_sql or sql)
        transaction.set_rollback(True)
    print(f"### {title}\n\n{why}\n")
    print(f"- without: **{before_time}**; {'; '.join(before_scans[:3])}")
    print(f"- with: **{after_time}**; {'; '.join(after_scans[:3])}\n")


def main():
    worklist = Worklist()
    now = timezone.now()
    zone = timezone.get_current_timezone()
    day_start = datetime.datetime.combine(timezone.localdate(), datetime.time(), tzinfo=zone)
    day_end = day_start + datetime.timedelta(days=1)
    compare(
        "`follow_up_open_by_window` (followups_followup: due_from, id WHERE open)",
        "The worklist's follow-up sections read open follow-ups in window order and stop after "
        "a page; done and cancelled ones (most of three years) are not in the index.",
        "follow_up_open_by_window",
        sql_of(worklist.overdue[:5]),
    )
    compare(
        "`patient_link_open_by_age` (clinic_patientlink: purpose, created_at WHERE not revoked)",
        "Questionnaires sent and not returned, oldest first.",
        "patient_link_open_by_age",
        sql_of(worklist.questionnaires[:5]),
    )
    compare(
        "`session_record_rems_due` (scheduling_sessionrecord: rems_due_on WHERE rems_open)",
        "REMS forms due, for the REMS page and the worklist. Before: every session record "
        "joined to its appointment's route.",
        "session_record_rems_due",
        sql_of(worklist.rems[:25]),
        before_sql=sql_of(
            SessionRecord.objects.filter(
                appointment__route_id="intranasal",
                dose_started_at__isnull=False,
                rems_submitted_at__isnull=True,
            ).order_by("dose_started_at")[:25]
        ),
    )
    compare(
        "`session_record_hold_waiting` (scheduling_sessionrecord: hold_raised_at WHERE waiting)",
        "The provider's home page: doses held for a decision.",
        "session_record_hold_waiting",
        sql_of(
            SessionRecord.objects.filter(
                hold_raised_at__isnull=False,
                hold_decision="",
                appointment__status="checked_in",
                dose_started_at__isnull=True,
                signed_at__isnull=True,
            )
        ),
    )
    compare(
        "`appointment_patient_start` (scheduling_appointment: patient_id, starts_at)",
        "A patient's sessions ahead: the worklist's 'no next appointment', the series-end scan "
        "and the patient page.",
        "appointment_patient_start",
        sql_of(worklist.no_next_appointment[:5]),
    )
    provider = TreatmentPlan.objects.values_list("ordered_by", flat=True).first()
    mine = Worklist(provider=User.objects.get(pk=provider))
    compare(
        "`rems_open` (scheduling_sessionrecord: a generated column, due and not submitted)",
        "One provider's REMS forms due. Asked as `rems_due_on IS NOT NULL AND "
        "rems_submitted_at IS NULL`, PostgreSQL multiplies the two columns' odds (both are "
        "empty for every non-esketamine session) and expects tens of thousands of rows, so it "
        "hashes every appointment; the one stored column it estimates right.",
        None,
        sql_of(mine.rems.order_by().values("pk")),
        before_sql=sql_of(
            SessionRecord.objects.filter(
                rems_due_on__isnull=False,
                rems_submitted_at__isnull=True,
                appointment__plan__ordered_by=provider,
            ).values("pk")
        ),
    )
    compare(
        "`appointment_plan_done` (scheduling_appointment: plan_id WHERE completed session)",
        "How many sessions each series in treatment has had (owing_sessions): counted from the "
        "index alone, a few entries a series, for the worklist's count.",
        "appointment_plan_done",
        sql_of(worklist.no_next_appointment.order_by().values("pk")),
    )
    compare(
        "`plan_in_treatment_by_start` (scheduling_treatmentplan: first_day, id WHERE in treatment)",
        "The worklist's 'no next appointment' page, longest in treatment first: read in index "
        "order until a page is full, instead of sorting every series in treatment.",
        "plan_in_treatment_by_start",
        sql_of(worklist.no_next_appointment[:25]),
    )
    compare(
        "`plan_draft_by_age` (scheduling_treatmentplan: created_at, id WHERE draft)",
        "The home page's oldest drafts waiting to be booked.",
        "plan_draft_by_age",
        sql_of(
            TreatmentPlan.objects.filter(status=TreatmentPlan.Status.DRAFT)
            .select_related("patient", "protocol_version")
            .order_by("created_at", "pk")[:5]
        ),
    )
    busiest = (
        Appointment.objects.values("clinician").annotate(n=Count("pk")).order_by("-n").first()
    )["clinician"]
    compare(
        "`appointment_clinician_start` (scheduling_appointment: clinician_id, starts_at)",
        "A clinician's appointments by time: the calendar feed, the week, and the capacity "
        "trigger on every booking.",
        "appointment_clinician_start",
        sql_of(
            Appointment.objects.active()
            .filter(clinician_id=busiest)
            .overlapping(now - datetime.timedelta(days=14), now + datetime.timedelta(days=120))
        ),
    )
    compare(
        "`plan_open` (scheduling_treatmentplan: status WHERE draft or in treatment)",
        "Series in treatment and drafts waiting to be booked, out of every series ever made.",
        "plan_open",
        sql_of(TreatmentPlan.objects.in_treatment().only("pk")),
    )
    compare(
        "`patient_last_name_trgm` and friends (GIN trigram on UPPER(name), phone)",
        "Search by any part of a name: `icontains` is `UPPER(x) LIKE '%...%'`, which a B-tree "
        "cannot serve.",
        "patient_last_name_trgm",
        sql_of(Patient.objects.search("sen")[:25]),
    )
    compare(
        "Calendars bounded by the longest appointment (`appointment_at_most_twelve_hours`)",
        "`ends_at > start AND starts_at < end` alone reads every appointment that started before "
        "the day; with `starts_at > start - 12 h` the (starts_at, ends_at) index reads the day.",
        None,
        sql_of(Appointment.objects.active().overlapping(day_start, day_end)),
        before_sql=sql_of(
            Appointment.objects.active().filter(starts_at__lt=day_end, ends_at__gt=day_start)
        ),
    )
    print(f"_Measured {now:%Y-%m-%d %H:%M} UTC on {Patient.objects.count()} patients._")


if __name__ == "__main__":
    main()
