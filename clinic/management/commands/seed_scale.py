"""A large, realistic data set on top of the demo data, for benchmarks (`make bench`).

The core makes patients, chairs and clinicians and decides each patient's journey;
then the seeder each app registered (clinic.scale) adds intakes, series, sessions,
records, follow-ups and scores. Deterministic for a given --seed and day.
"""

import datetime
import math
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from clinic.models import Clinic, Patient, PatientStatus, Room, Route, Sex, User
from clinic.roles import Role
from clinic.scale import BulkWriter, Journey, ScaleContext, Stage, reserve_ids, run_scale_seeders
from clinic.scale_names import CITIES, FIRST_NAMES, LAST_NAMES, RELATIONSHIPS, STREETS

SCALE_DOMAIN = "scale.example"
DEFAULT_PATIENTS = 20_000
# Per 20,000 patients: what a busy clinic of that size runs.
CHAIRS_PER_20K = 48
CLINICIANS_PER_20K = 30
QUIET_ROOM_SHARE = 0.25  # rooms for esketamine (monitored two hours, quiet)


# Shares of the patients by where they are now, most of them treated over the years.
STAGE_SHARES = [
    (Stage.REFERRED, 0.035),
    (Stage.INTAKE, 0.05),
    (Stage.REVIEW, 0.015),
    (Stage.NOT_ELIGIBLE, 0.05),
    (Stage.CLEARED, 0.02),
]
ROUTE_SHARES = [("iv", 0.55), ("intranasal", 0.25), ("im", 0.10), ("oral", 0.05), ("sc", 0.05)]


def scaled(value_per_20k, patients, minimum):
    return max(minimum, round(value_per_20k * patients / DEFAULT_PATIENTS))


class Command(BaseCommand):
    help = (
        "Load a large, realistic data set (20,000 patients, three years of sessions by "
        "default) on top of the demo data, for benchmarks. Needs DEBUG=1 and an empty "
        "database apart from the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS)
        parser.add_argument(
            "--chairs", type=int, help="Rooms and chairs in all (default: 48 per 20,000 patients)"
        )
        parser.add_argument(
            "--clinicians",
            type=int,
            help="Nurses and providers who monitor sessions (default: 30 per 20,000 patients)",
        )
        parser.add_argument("--years", type=float, default=3, help="Years of history")
        parser.add_argument("--months-ahead", type=float, default=3, help="Months booked ahead")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale creates thousands of made-up patients and staff accounts, so it only "
                "runs with DEBUG=1. Never load it into a clinic's real database."
            )
        if options["patients"] < 10:
            raise CommandError("Give at least 10 patients.")
        started = time.monotonic()
        call_command("seed_demo", stdout=self.stdout)
        if Patient.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").exists():
            raise CommandError(
                "This database already holds a scale data set. Use a fresh database."
            )
        capacity = Clinic.load().patients_per_clinician
        patients = options["patients"]
        chairs = options["chairs"] or scaled(CHAIRS_PER_20K, patients, 4)
        clinicians = options["clinicians"] or max(
            scaled(CLINICIANS_PER_20K, patients, 3), math.ceil(chairs / capacity) + 2
        )
        now = timezone.now().replace(microsecond=0)
        zone = Clinic.load().zone
        today = now.astimezone(zone).date()
        context = ScaleContext(
            seed=options["seed"],
            now=now,
            today=today,
            zone=zone,
            first_day=today - datetime.timedelta(days=round(365.25 * options["years"])),
            last_day=today + datetime.timedelta(days=round(30.44 * options["months_ahead"])),
            journeys=[],
            patients={},
            clinician_ids=[],
            provider_ids=[],
            room_ids=[],
            staff_ids={},
            capacity=capacity,
            stdout=self.stdout,
            batch_size=options["batch_size"],
        )
        context.progress(
            f"Scale data: {patients:,} patients, {chairs} chairs, {clinicians} clinicians, "
            f"{context.first_day} to {context.last_day}, seed {context.seed}"
        )
        self._fast_writes()
        with transaction.atomic():
            self.seed_rooms(context, chairs)
            self.seed_staff(context, clinicians)
            self.seed_patients(context, patients)
        run_scale_seeders(context)
        # What autovacuum does to a live database: statistics for the planner, and the
        # visibility map that lets counts be read from an index alone.
        maintenance = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
        context.progress(maintenance)
        with connection.cursor() as cursor:
            cursor.execute(maintenance)
        self.stdout.write(
            self.style.SUCCESS(f"Scale data ready in {time.monotonic() - started:.0f} s.")
        )

    def _fast_writes(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Throwaway data: a crash loses the run anyway, so skip waiting for the disk.
                cursor.execute("SET synchronous_commit TO off")

    def seed_rooms(self, context, chairs):
        routes = {route.code: route for route in Route.objects.all()}
        rooms = list(Room.objects.filter(active=True).prefetch_related("routes"))
        quiet = sum(1 for room in rooms if any(r.code == "intranasal" for r in room.routes.all()))
        wanted_quiet = max(1, round(chairs * QUIET_ROOM_SHARE))
        names = set(Room.objects.values_list("name", flat=True))
        number = 1
        while len(rooms) < chairs:
            make_quiet = quiet < wanted_quiet and (len(rooms) % 4 == 3 or chairs - len(rooms) <= 1)
            prefix = "Quiet room" if make_quiet else "Chair"
            while f"{prefix} {number}" in names:
                number += 1
            room = Room.objects.create(name=f"{prefix} {number}")
            names.add(room.name)
            codes = ["intranasal", "oral", "im", "sc"] if make_quiet else ["iv", "im", "sc", "oral"]
            room.routes.set([routes[code] for code in codes])
            quiet += make_quiet
            rooms.append(room)
        context.room_ids = [room.pk for room in rooms[:chairs]]
        context.progress(f"Rooms: {len(context.room_ids)} ({quiet} quiet rooms for esketamine)")

    def seed_staff(self, context, clinicians):
        rng = context.rng("staff")
        groups = {group.name: group for group in Group.objects.all()}
        demo = {user.email: user for user in User.objects.filter(email__endswith="@demo.clinic")}
        context.staff_ids = {email.split("@")[0]: user.pk for email, user in demo.items()}
        existing = [demo[e] for e in ("nurse@demo.clinic", "provider@demo.clinic") if e in demo]
        new_count = max(0, clinicians - len(existing))
        providers_wanted = max(1, round(clinicians * 0.3))
        writer = BulkWriter(context)
        ids = reserve_ids(User, new_count + 4)
        made = []
        joined = timezone.now() - datetime.timedelta(days=365 * 4)
        for index in range(new_count + 4):
            is_clinician = index < new_count
            role = (
                (Role.PROVIDER if index < providers_wanted - 1 else Role.NURSE)
                if is_clinician
                else Role.FRONT_DESK
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user = User(
                pk=next(ids),
                email=f"{first}.{last}.{index + 1}@staff.{SCALE_DOMAIN}".lower(),
                first_name=first,
                last_name=last,
                date_joined=joined,
            )
            user.set_unusable_password()
            writer.add(user, history=[(joined, None, "+", {})])
            made.append((user, role, is_clinician))
        writer.flush()
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user_id=user.pk, group_id=groups[role].pk) for user, role, _ in made]
        )
        writer.close()
        context.clinician_ids = [u.pk for u in existing] + [u.pk for u, _, c in made if c]
        context.provider_ids = [u.pk for u in existing if u.email.startswith("provider")] + [
            u.pk for u, role, c in made if c and role == Role.PROVIDER
        ]
        context.progress(
            f"Clinicians: {len(context.clinician_ids)} ({len(context.provider_ids)} providers), "
            "plus 4 more front desk staff"
        )

    def seed_patients(self, context, count):
        rng = context.rng("patients")
        used = set(Patient.objects.values_list("mrn", flat=True))
        mrns = [str(n) for n in rng.sample(range(10_000_000, 100_000_000), count + len(used))]
        mrns = [mrn for mrn in mrns if mrn not in used][:count]
        stages = []
        for stage, share in STAGE_SHARES:
            stages += [stage] * max(1, round(share * count))
        stages += [Stage.TREATED] * (count - len(stages))
        rng.shuffle(stages)
        ids = reserve_ids(Patient, count)
        writer = BulkWriter(context)
        span = (context.today - context.first_day).days
        for index, stage in enumerate(stages):
            journey = self._journey(rng, next(ids), stage, context, span)
            patient = self._patient(rng, journey, mrns[index], context)
            context.journeys.append(journey)
            context.patients[patient.pk] = patient
            created = context.at(journey.referred_on, 9) + datetime.timedelta(
                minutes=rng.randrange(480)
            )
            patient.created_at = patient.updated_at = created
            writer.add(patient, history=[(created, context.staff_ids.get("frontdesk"), "+", {})])
        writer.flush()
        cleared = Patient.cleared_routes.through
        routes = [
            cleared(patient_id=j.patient_id, route_id=j.route)
            for j in context.journeys
            if j.route and j.stage in (Stage.CLEARED, Stage.TREATED)
        ]
        cleared.objects.bulk_create(routes, batch_size=context.batch_size)
        writer.close()
        context.progress(f"Patients: {count:,} ({stages.count(Stage.TREATED):,} treated)")

    def _journey(self, rng, pk, stage, context, span):
        today = context.today
        journey = Journey(patient_id=pk, stage=stage, referred_on=today)
        journey.baseline_phq9 = min(27, max(8, round(rng.gauss(18, 4))))
        journey.baseline_gad7 = min(21, max(3, round(rng.gauss(13, 4))))
        recent = {
            Stage.REFERRED: 21,
            Stage.INTAKE: 45,
            Stage.REVIEW: 20,
            Stage.CLEARED: 25,
        }
        if stage in recent:
            journey.referred_on = today - datetime.timedelta(days=rng.randrange(recent[stage]))
            if stage == Stage.INTAKE and rng.random() < 0.3:
                # Forms people started and left, some of them long ago.
                journey.referred_on = today - datetime.timedelta(days=rng.randrange(span))
        elif stage == Stage.NOT_ELIGIBLE:
            journey.referred_on = today - datetime.timedelta(days=rng.randrange(30, span))
        else:
            # First sessions spread over the years, until a few weeks from now.
            start = context.first_day + datetime.timedelta(days=rng.randrange(span + 21))
            journey.start_on = start
            journey.referred_on = start - datetime.timedelta(days=rng.randrange(14, 45))
        if stage in (Stage.CLEARED, Stage.TREATED):
            journey.route = _pick(rng, ROUTE_SHARES)
            kind = rng.random()
            journey.response = (
                rng.uniform(0.5, 0.8)
                if kind < 0.55
                else rng.uniform(0.2, 0.45)
                if kind < 0.8
                else rng.uniform(0.0, 0.15)
            )
            journey.drops_out = rng.random() < 0.05
            if not journey.drops_out and rng.random() < 0.7:
                journey.maintenance = min(30, 1 + int(rng.expovariate(1 / 6)))
        return journey

    def _patient(self, rng, journey, mrn, context):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, zip_prefix = rng.choice(CITIES)
        born = context.today - datetime.timedelta(days=rng.randrange(19 * 365, 75 * 365))
        status = {
            Stage.REFERRED: PatientStatus.REFERRED,
            Stage.INTAKE: PatientStatus.INTAKE_IN_PROGRESS,
            Stage.REVIEW: PatientStatus.UNDER_REVIEW,
            Stage.NOT_ELIGIBLE: PatientStatus.NOT_ELIGIBLE,
            Stage.CLEARED: PatientStatus.CLEARED,
            Stage.TREATED: PatientStatus.IN_TREATMENT,  # scheduling settles it from the sessions
        }[journey.stage]
        return Patient(
            pk=journey.patient_id,
            mrn=mrn,
            legal_first_name=first,
            legal_last_name=last,
            preferred_name=first[:3] if rng.random() < 0.05 else "",
            date_of_birth=born,
            sex_assigned_at_birth=_pick(
                rng, [(Sex.FEMALE, 0.55), (Sex.MALE, 0.42), (Sex.UNDISCLOSED, 0.03)]
            ),
            phone=f"415{rng.randrange(2_000_000, 9_999_999):07d}",
            email=(
                f"{first}.{last}.{journey.patient_id}@{SCALE_DOMAIN}".lower()
                if rng.random() < 0.92
                else ""
            ),
            address_line1=f"{rng.randrange(1, 4000)} {rng.choice(STREETS)} Street",
            city=city,
            state="CA",
            postal_code=f"{zip_prefix}{rng.randrange(100):02d}",
            emergency_contact_name=f"{rng.choice(FIRST_NAMES)} {last}",
            emergency_contact_relationship=rng.choice(RELATIONSHIPS),
            emergency_contact_phone=f"415{rng.randrange(2_000_000, 9_999_999):07d}",
            status=status,
        )


def _pick(rng, shares):
    roll = rng.random() * sum(share for _, share in shares)
    for value, share in shares:
        roll -= share
        if roll <= 0:
            return value
    return shares[-1][0]
