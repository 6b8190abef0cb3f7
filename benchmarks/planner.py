"""How long "Plan series" takes on a busy clinic, and how many queries it makes.

Run: DEBUG=1 .venv/bin/python benchmarks/planner.py
It builds its own throwaway SQLite database (or the one in BENCH_DATABASE_URL,
which it migrates and fills: never point it at a clinic's data), books the
chairs almost full for half a year, then plans series of 6, 12, 24 and 48
sessions and prints the time and query count of each. Numbers, not a test.

With BENCH_SCALE=1 it plans instead on the big book a `manage.py seed_scale`
database already holds (BENCH_DATABASE_URL, e.g. the one `make bench` uses),
for the patient of a draft series, including the installed 12-session esketamine
protocol; what it writes for that is rolled back.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
database_file = Path(tempfile.mkdtemp()) / "planner-bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{database_file}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.models import Clinic, OpeningHours, Patient, Room, Route, User  # noqa: E402
from scheduling.models import (  # noqa: E402
    Appointment,
    ClinicianHours,
    Protocol,
    TreatmentPlan,
)
from scheduling.planner import series_propose  # noqa: E402

CHAIRS = 4
CLINICIANS = 4
WEEKS = 26
# Each chair is booked 8:00–15:40 every weekday; only late afternoons stay free.
BOOKED_STARTS = [datetime.time(8), datetime.time(10), datetime.time(12), datetime.time(13, 45)]


def build():
    call_command("migrate", verbosity=0)
    iv = Route.objects.get(code="iv")
    for weekday in range(5):
        OpeningHours.objects.update_or_create(
            weekday=weekday,
            defaults={"opens_at": datetime.time(8), "closes_at": datetime.time(18)},
        )
    rooms = []
    for n in range(CHAIRS):
        room, _ = Room.objects.get_or_create(name=f"Bench chair {n + 1}")
        room.routes.add(iv)
        rooms.append(room)
    clinicians = []
    for n in range(CLINICIANS):
        user, _ = User.objects.get_or_create(email=f"bench-nurse-{n}@clinic.test")
        for weekday in range(5):
            ClinicianHours.objects.get_or_create(
                clinician=user,
                weekday=weekday,
                defaults={"starts_at": datetime.time(8), "ends_at": datetime.time(18)},
            )
        clinicians.append(user)
    patients = [
        Patient.objects.create(
            legal_first_name="Bench",
            legal_last_name=f"Patient {n}",
            date_of_birth=datetime.date(1980, 1, 1),
            phone="4155550100",
        )
        for n in range(CHAIRS * len(BOOKED_STARTS) + 1)
    ]
    zone = Clinic.load().zone
    start_day = timezone.localdate() + datetime.timedelta(days=1)
    appointments = []
    for offset in range(WEEKS * 7):
        day = start_day + datetime.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for chair_index, room in enumerate(rooms):
            for slot_index, start in enumerate(BOOKED_STARTS):
                starts_at = datetime.datetime.combine(day, start, tzinfo=zone)
                appointments.append(
                    Appointment(
                        patient=patients[chair_index * len(BOOKED_STARTS) + slot_index],
                        route=iv,
                        room=room,
                        clinician=clinicians[chair_index],
                        starts_at=starts_at,
                        ends_at=starts_at + datetime.timedelta(minutes=100),
                        preparation_minutes=15,
                        administration_minutes=40,
                        monitoring_minutes=45,
                        booked_by=clinicians[0],
                    )
                )
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    return patients[-1], clinicians[0], start_day, len(appointments)


def measure(patient, provider, start_day, sessions, protocol=None):
    protocol = (
        protocol
        or Protocol.objects.update_or_create(
            name=f"Bench {sessions}",
            defaults={
                "route_id": "iv",
                "session_count": sessions,
                "minimum_hours_between": 40,
                "phases": [{"weeks": 52, "per_week": 3}],
            },
        )[0]
    )
    plan = TreatmentPlan.objects.create(
        patient=patient,
        protocol_version=protocol.snapshot(),
        dose=1,
        dose_unit="mg/kg",
        first_day=start_day,
        ordered_by=provider,
    )
    plan = TreatmentPlan.objects.select_related("patient", "protocol_version__route").get(
        pk=plan.pk
    )
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            proposal = series_propose(plan=plan, not_before=timezone.now())
            timings.append(time.perf_counter() - began)
    return proposal, statistics.median(timings), len(queries)


def main_on_scale_data():
    draft = TreatmentPlan.objects.filter(status=TreatmentPlan.Status.DRAFT).first()
    start_day = timezone.localdate() + datetime.timedelta(days=1)
    booked = Appointment.objects.active().filter(starts_at__date__gte=start_day).count()
    print(
        f"Database: {connection.vendor}, a seed_scale book: {Patient.objects.count()} patients, "
        f"{booked} bookings from tomorrow on, {Room.objects.filter(active=True).count()} chairs."
    )
    print(f"{'series':>28} {'sessions':>8} {'placed':>7} {'median ms':>10} {'queries':>8}")
    esketamine = Protocol.objects.get(route_id="intranasal", active=True)
    runs = [("IV, 3 a week", n, None) for n in (6, 12, 24, 48)]
    runs.insert(2, (esketamine.name[:28], esketamine.session_count, esketamine))
    with transaction.atomic():
        for name, sessions, protocol in runs:
            proposal, seconds, queries = measure(
                draft.patient, draft.ordered_by, start_day, sessions, protocol
            )
            print(
                f"{name:>28} {sessions:>8} {len(proposal.slots):>7} {seconds * 1000:>10.1f} "
                f"{queries:>8}"
            )
        transaction.set_rollback(True)


def main():
    if os.environ.get("BENCH_SCALE") == "1":
        return main_on_scale_data()
    patient, provider, start_day, booked = build()
    print(
        f"Database: {connection.vendor}; {booked} existing bookings over {WEEKS} weeks, "
        f"{CHAIRS} chairs, {CLINICIANS} clinicians."
    )
    print(f"{'sessions':>8} {'placed':>7} {'median ms':>10} {'queries':>8}")
    for sessions in (6, 12, 24, 48):
        proposal, seconds, queries = measure(patient, provider, start_day, sessions)
        print(f"{sessions:>8} {len(proposal.slots):>7} {seconds * 1000:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
