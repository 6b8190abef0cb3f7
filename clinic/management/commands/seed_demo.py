import datetime
import unicodedata
from base64 import b32encode

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.demo import run_seeders
from clinic.models import Clinic, Closure, OpeningHours, Patient, PatientStatus, Room, Route, User
from clinic.roles import Role
from clinic.two_factor import APP_DEVICE_NAME, recovery_codes_replace

DEMO_USERS = [
    ("frontdesk@demo.clinic", "Maria", "Lopez", Role.FRONT_DESK, "demo-frontdesk-pass"),
    ("nurse@demo.clinic", "Daniel", "Okafor", Role.NURSE, "demo-nurse-pass-1"),
    ("provider@demo.clinic", "Grace", "Chen", Role.PROVIDER, "demo-provider-pass"),
    ("admin@demo.clinic", "Sam", "Rivera", Role.CLINIC_ADMIN, "demo-admin-pass-1"),
]

ROOMS = [
    ("Chair 1", ["iv", "im", "sc"]),
    ("Chair 2", ["iv", "im", "sc"]),
    ("Chair 3", ["iv", "im", "sc", "oral"]),
    ("Quiet room", ["intranasal", "oral", "im", "sc"]),
]

# (first, last, preferred, born, sex, status)
PATIENTS = [
    ("Alex", "Morgan", "", "1988-03-14", "undisclosed", PatientStatus.REFERRED),
    ("Priya", "Raman", "", "1979-11-02", "female", PatientStatus.REFERRED),
    ("Jonathan", "Reyes", "Jon", "1991-06-21", "male", PatientStatus.REFERRED),
    ("Hannah", "Schultz", "", "1965-01-30", "female", PatientStatus.REFERRED),
    ("Marcus", "Bell", "", "1983-08-09", "male", PatientStatus.INTAKE_IN_PROGRESS),
    ("Yuki", "Tanaka", "", "1995-04-17", "female", PatientStatus.INTAKE_IN_PROGRESS),
    ("Oluwaseun", "Adeyemi", "Seun", "1987-12-05", "male", PatientStatus.INTAKE_IN_PROGRESS),
    ("Elena", "Petrova", "", "1972-09-23", "female", PatientStatus.INTAKE_IN_PROGRESS),
    ("David", "Goldberg", "Dave", "1969-02-11", "male", PatientStatus.UNDER_REVIEW),
    ("Sofia", "Hernández", "", "1990-07-28", "female", PatientStatus.UNDER_REVIEW),
    ("Liam", "O'Connor", "", "1985-10-14", "male", PatientStatus.UNDER_REVIEW),
    ("Amara", "Nwosu", "", "1998-05-03", "female", PatientStatus.UNDER_REVIEW),
    ("Robert", "Kowalski", "Bob", "1958-03-19", "male", PatientStatus.CLEARED),
    ("Mei", "Lin", "", "1984-01-08", "female", PatientStatus.CLEARED),
    ("Jordan", "Taylor", "", "1993-09-12", "intersex", PatientStatus.CLEARED),
    ("Fatima", "Haddad", "", "1977-06-30", "female", PatientStatus.CLEARED),
    ("Thomas", "Nguyen", "Tom", "1981-04-25", "male", PatientStatus.NOT_ELIGIBLE),
    ("Grace", "Whitfield", "", "1962-12-18", "female", PatientStatus.NOT_ELIGIBLE),
    ("Carlos", "Mendoza", "", "1976-08-07", "male", PatientStatus.IN_TREATMENT),
    ("Rebecca", "Stein", "Becca", "1989-02-27", "female", PatientStatus.IN_TREATMENT),
    ("Kwame", "Mensah", "", "1980-11-15", "male", PatientStatus.IN_TREATMENT),
    ("Isabella", "Rossi", "", "1994-03-09", "female", PatientStatus.IN_TREATMENT),
    ("Ethan", "Brooks", "", "1987-07-04", "male", PatientStatus.IN_TREATMENT),
    ("Aisha", "Rahman", "", "1991-10-20", "female", PatientStatus.IN_TREATMENT),
    ("Michael", "Sullivan", "Mike", "1970-05-16", "male", PatientStatus.MAINTENANCE),
    ("Ana", "Silva", "", "1986-12-01", "female", PatientStatus.MAINTENANCE),
    ("Samuel", "Cohen", "Sam", "1975-09-29", "male", PatientStatus.MAINTENANCE),
    ("Laura", "Martínez", "", "1983-06-13", "female", PatientStatus.MAINTENANCE),
    ("Noah", "Fischer", "", "1997-01-22", "male", PatientStatus.DISCHARGED),
    ("Chloe", "Dubois", "", "1968-04-06", "female", PatientStatus.DISCHARGED),
]

CLEARED_STATUSES = {
    PatientStatus.CLEARED,
    PatientStatus.IN_TREATMENT,
    PatientStatus.MAINTENANCE,
    PatientStatus.DISCHARGED,
}


def demo_email(first, last):
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
    return ascii_name.decode().lower().replace("'", "") + "@example.com"


class Command(BaseCommand):
    help = "Load demo data: a clinic, 4 rooms, a login per role, 30 patients. Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with published passwords, so it only runs with "
                "DEBUG=1. Never load demo data into a clinic's real database."
            )
        with transaction.atomic():
            self.seed_clinic()
            self.seed_rooms()
            self.seed_hours()
            users = self.seed_users()
            second_factors = [self.seed_two_factor(user) for user in users]
            created = self.seed_patients()
            run_seeders(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new patients)."))
        self.stdout.write("Demo logins (email / password / recovery code, each code works once):")
        for (email, _first, _last, role, password), (code, _key) in zip(
            DEMO_USERS, second_factors, strict=True
        ):
            self.stdout.write(f"  {role:<13} {email:<24} {password:<20} {code}")
        self.stdout.write(
            "Each run prints the next unused code. Or add an account to an authenticator app "
            "with its key:"
        )
        for (email, *_rest), (_code, key) in zip(DEMO_USERS, second_factors, strict=True):
            self.stdout.write(f"  {email:<24} {key}")

    def seed_clinic(self):
        clinic = Clinic.load()
        if clinic.name == Clinic._meta.get_field("name").default:
            clinic.name = "Bayview Ketamine Clinic"
            clinic.phone = "(415) 555-0142"
            clinic.email = "care@bayview.example"
            clinic.address = "1200 Harbor Street, Suite 300, San Francisco, CA 94107"
            clinic.save()

    def seed_rooms(self):
        routes = {route.code: route for route in Route.objects.all()}
        for name, codes in ROOMS:
            room, created = Room.objects.get_or_create(name=name)
            if created:
                room.routes.set([routes[code] for code in codes])

    def seed_hours(self):
        for weekday in range(5):
            OpeningHours.objects.get_or_create(
                weekday=weekday,
                defaults={"opens_at": datetime.time(8), "closes_at": datetime.time(18)},
            )
        OpeningHours.objects.get_or_create(
            weekday=5, defaults={"opens_at": datetime.time(9), "closes_at": datetime.time(13)}
        )
        year = timezone.localdate().year
        for day, reason in [
            (datetime.date(year, 12, 25), "Christmas Day"),
            (datetime.date(year + 1, 1, 1), "New Year's Day"),
        ]:
            Closure.objects.get_or_create(starts_on=day, ends_on=day, defaults={"reason": reason})

    def seed_users(self):
        users = []
        for email, first, last, role, password in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": role == Role.CLINIC_ADMIN,
                },
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users.append(user)
        return users

    def seed_two_factor(self, user):
        """The demo accounts come with two-factor login set up: (an unused recovery code,
        the authenticator app's key)."""
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": APP_DEVICE_NAME}
        )
        code = (
            StaticToken.objects.filter(device__user=user)
            .order_by("pk")
            .values_list("token", flat=True)
            .first()
        )
        if code is None:
            code = recovery_codes_replace(user=user)[0]
        key = b32encode(device.bin_key).decode()
        return code, " ".join(key[i : i + 4] for i in range(0, len(key), 4))

    def seed_patients(self):
        all_routes = list(Route.objects.all())
        iv_only = [route for route in all_routes if route.code == "iv"]
        created_count = 0
        for index, (first, last, preferred, born, sex, status) in enumerate(PATIENTS):
            patient, created = Patient.objects.get_or_create(
                legal_first_name=first,
                legal_last_name=last,
                date_of_birth=datetime.date.fromisoformat(born),
                defaults={
                    "preferred_name": preferred,
                    "sex_assigned_at_birth": sex,
                    "phone": f"415555{index + 100:04d}",
                    "email": demo_email(first, last),
                    "status": status,
                    "city": "San Francisco",
                    "state": "CA",
                    "emergency_contact_name": "Jamie Doe",
                    "emergency_contact_relationship": "Partner",
                    "emergency_contact_phone": f"415555{index + 200:04d}",
                },
            )
            if created:
                created_count += 1
                if status in CLEARED_STATUSES:
                    patient.cleared_routes.set(all_routes if index % 2 else iv_only)
        return created_count
