"""The Django side of `make bench`: choose what each page shows, and count its queries.

Run by benchmarks/pages.py with the same settings and database as the server, before
the server starts: `python -m benchmarks.page_fixtures OUT.json`. It picks the
patient with the longest history, the busiest day, a draft plan and so on, makes
the few rows the benchmark needs (patient links, a session being monitored now),
then requests every page once with Django's test client inside
CaptureQueriesContext and writes the list of pages, with their query counts, as JSON.
"""

import datetime
import json
import os
import sys
from urllib.parse import urlencode


def main(out_path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    pages = plan_pages()
    count_queries(pages)
    with open(out_path, "w") as out:
        json.dump(pages, out, indent=1)


def plan_pages():
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from clinic.models import Clinic, LinkPurpose, Patient, PatientLink, Route, User
    from followups.forms import providers
    from followups.worklist import SECTIONS
    from intake.models import Intake, IntakeStatus
    from intake.services import intake_link_issue
    from scheduling.models import Appointment, CalendarFeed, SessionRecord, TreatmentPlan

    zone = Clinic.load().zone
    now = timezone.now()
    longest = (
        Patient.objects.annotate(n=Count("appointments")).order_by("-n", "pk").values("pk").first()
    )["pk"]
    busiest = _busiest_day(zone)
    busiest_clinician = (
        Appointment.objects.active()
        .filter(starts_at__gte=now - datetime.timedelta(days=14))
        .values("clinician")
        .annotate(n=Count("pk"))
        .order_by("-n", "clinician")
        .first()
    )["clinician"]
    feed, _ = CalendarFeed.objects.get_or_create(clinician_id=busiest_clinician)
    provider = max(
        providers(),
        key=lambda p: (TreatmentPlan.objects.filter(ordered_by=p).count(), -p.pk),
    )
    submitted = (
        Intake.objects.waiting_for_review().first()
        or Intake.objects.filter(status=IntakeStatus.CLEARED).first()
    )
    draft = (
        TreatmentPlan.objects.filter(
            status=TreatmentPlan.Status.DRAFT, protocol_version__route_id=Route.Code.IV
        )
        .order_by("pk")
        .first()
    )
    to_move = (
        Appointment.objects.sessions()
        .filter(status=Appointment.Status.BOOKED, starts_at__gt=now + datetime.timedelta(days=1))
        .order_by("starts_at", "pk")
        .first()
    )
    record = (
        SessionRecord.objects.filter(signed_at__isnull=False, appointment__starts_at__lt=now)
        .annotate(n=Count("observations"))
        .order_by("-n", "-appointment__starts_at")
        .first()
    )
    monitored = _session_being_monitored(now, zone)
    in_progress = Intake.objects.filter(status=IntakeStatus.IN_PROGRESS).order_by("pk").first()
    _, intake_token = intake_link_issue(patient=in_progress.patient)
    questionnaire_patient = (
        Patient.objects.filter(status__in=["in_treatment", "maintenance"]).order_by("pk").first()
    )
    _, questionnaire_token = PatientLink.issue(
        patient=questionnaire_patient, purpose=LinkPurpose.QUESTIONNAIRE
    )
    search = "Garcia"

    def page(name, role, url, **extra):
        return {"name": name, "role": role, "url": url, "method": "GET", **extra}

    patient_url = reverse("clinic:patient_detail", args=[longest])
    pages = [
        *[page(f"Home ({role})", role, reverse("home")) for role in ROLES],
        page("Patient list", "frontdesk", reverse("clinic:patient_list")),
        page(
            f"Search results (“{search}”)",
            "frontdesk",
            reverse("clinic:patient_list"),
            session="search",
            search=search,
        ),
        *[page(f"Patient page, longest history ({role})", role, patient_url) for role in ROLES],
        page("Today", "nurse", reverse("scheduling:today")),
        page(
            f"Chair day, busiest day ({busiest})",
            "frontdesk",
            reverse("scheduling:day") + "?" + urlencode({"date": busiest.isoformat()}),
        ),
        page("Clinician week (this week)", "nurse", reverse("scheduling:week")),
        page("Worklist overview, all providers", "frontdesk", reverse("followups:worklist")),
        page(
            "Worklist overview, one provider",
            "frontdesk",
            reverse("followups:worklist") + "?" + urlencode({"provider": provider.pk}),
        ),
        *[
            page(
                f"Worklist section: {section.title}",
                "provider",
                reverse("followups:worklist") + "?" + urlencode({"section": section.key}),
            )
            for section in SECTIONS
        ],
        page("REMS forms due", "nurse", reverse("scheduling:rems_due")),
        page("Intake review queue", "provider", reverse("intake:queue")),
        page("Intake summary", "provider", reverse("intake:review", args=[submitted.pk])),
        page("Series proposal (draft plan)", "provider", draft.get_absolute_url()),
        page(
            "Booking confirm, POST refused (chair taken)",
            "frontdesk",
            reverse("scheduling:plan_book", args=[draft.pk]),
            method="POST",
            body=_refused_series_body(draft, zone),
            expect_text="Nothing was booked",
        ),
        page(
            "Move a session (GET)",
            "frontdesk",
            reverse("scheduling:appointment_reschedule", args=[to_move.pk]),
        ),
        page(
            "Session record",
            "nurse",
            reverse("scheduling:session_record", args=[record.appointment_id]),
        ),
        page(
            "Observation POST (saved)",
            "nurse",
            reverse("scheduling:session_record_observe", args=[monitored.pk]),
            method="POST",
            body=urlencode(OBSERVATION),
            expect_status=302,
        ),
        page(
            "Intake step POST (saved)",
            "patient-intake",
            reverse("intake:step", args=["contacts"]),
            method="POST",
            body=urlencode(CONTACTS_STEP),
            expect_status=302,
            start=reverse("intake:start", args=[intake_token]),
        ),
        page(
            "Questionnaire POST (refused: blank)",
            "patient-questionnaire",
            reverse("followups:questionnaire"),
            method="POST",
            body=urlencode({"instrument": "phq9"}),
            expect_text="Please",
            start=reverse("followups:questionnaire_start", args=[questionnaire_token]),
        ),
        page("iCal feed (busiest clinician)", None, feed.get_absolute_url()),
        page("Clinic report", "provider", reverse("followups:clinic_report")),
        page("Clinic report CSV", "provider", reverse("followups:clinic_report_csv")),
        page(
            "Patient CSV export (longest history)",
            "provider",
            reverse("followups:patient_export", args=[longest]),
        ),
    ]
    users = {role: User.objects.get(email=f"{role}@demo.clinic").pk for role in ROLES}
    for item in pages:
        item["user_id"] = users.get(item["role"])
    return {
        "pages": pages,
        # One for each session the server's benchmark logs in (a role may have two).
        "recovery_codes": {
            f"{role}@demo.clinic": [
                _recovery_code(User.objects.get(pk=pk))
                for _session in {
                    item.get("session") or role for item in pages if item["role"] == role
                }
            ]
            for role, pk in users.items()
        },
        "baseline": reverse("bench_baseline"),
        "facts": {
            "patients": Patient.objects.count(),
            "appointments": Appointment.objects.count(),
            "longest_history_patient": longest,
            "longest_history_appointments": Appointment.objects.filter(patient=longest).count(),
            "busiest_day": busiest.isoformat(),
            "busiest_day_appointments": _day_count(busiest, zone),
        },
    }


ROLES = ["frontdesk", "nurse", "provider", "admin"]


def _recovery_code(user):
    """A new recovery code for the server's login (two-factor login is set up first if the
    data predates it)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from clinic.two_factor import RECOVERY_DEVICE_NAME

    _app_device(user)
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME}
    )
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


def _app_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clinic.two_factor import APP_DEVICE_NAME

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": APP_DEVICE_NAME}
    )
    return device


OBSERVATION = {
    "action": "observe",
    "systolic": "128",
    "diastolic": "80",
    "heart_rate": "72",
    "spo2": "98",
    "moaas": "5",
    "intervention": "",
}
CONTACTS_STEP = {
    "emergency_contact_name": "Jamie Doe",
    "emergency_contact_relationship": "Partner",
    "emergency_contact_phone": "415 555 0111",
    "escort_name": "Jamie Doe",
    "escort_phone": "415 555 0111",
}


def _busiest_day(zone):
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from scheduling.models import Appointment

    row = (
        Appointment.objects.active()
        .annotate(day=TruncDate("starts_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "-day")
        .first()
    )
    return row["day"]


def _day_count(day, zone):
    from scheduling.models import Appointment

    return Appointment.objects.active().on_day(day, zone).count()


def _session_being_monitored(now, zone):
    """A session checked in half an hour ago and dosed, on a chair free right now."""
    from django.db import transaction

    from clinic.models import Patient, Room, Route, User
    from clinic.roles import CLINICIAN_ROLES
    from scheduling.models import Appointment, SessionRecord

    route = Route.objects.get(code=Route.Code.IM)
    starts = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=30)
    ends = starts + datetime.timedelta(minutes=route.session_minutes)
    existing = (
        Appointment.objects.filter(cancel_note="Benchmark: being monitored")
        .exclude(status=Appointment.Status.CANCELLED)
        .first()
    )
    if existing and existing.starts_at.astimezone(zone).date() == now.astimezone(zone).date():
        return existing
    busy = Appointment.objects.active().overlapping(starts, ends)
    rooms = Room.objects.filter(active=True, routes=route)
    room = rooms.exclude(pk__in=busy.values("room")).first()
    patient = Patient.objects.filter(status="not_eligible", appointments__isnull=True).first()
    nurse = User.objects.get(email="nurse@demo.clinic")
    # The demo nurse monitors it if free then; else a clinician with nobody then (the
    # capacity trigger refuses a third patient, whatever the hour the benchmark runs).
    monitoring = nurse
    if busy.filter(clinician=nurse).exists():
        monitoring = (
            User.objects.filter(is_active=True, groups__name__in=CLINICIAN_ROLES)
            .exclude(pk__in=busy.values("clinician"))
            .order_by("pk")
            .first()
        )
    with transaction.atomic():
        appointment = Appointment.session_of(
            route=route,
            starts_at=starts,
            patient=patient,
            room=room,
            clinician=monitoring,
            booked_by=nurse,
            status=Appointment.Status.CHECKED_IN,
            checked_in_at=starts,
            cancel_note="Benchmark: being monitored",
        )
        appointment.save()
        SessionRecord.objects.create(
            appointment=appointment,
            escort_confirmed=True,
            fasting_kept=True,
            no_health_changes=True,
            systolic=122,
            diastolic=78,
            heart_rate=70,
            spo2=98,
            vitals_at=starts + datetime.timedelta(minutes=5),
            dose_amount=30,
            dose_unit="mg",
            lot_number="BENCH",
            dose_started_at=starts + datetime.timedelta(minutes=15),
            dose_ended_at=starts + datetime.timedelta(minutes=20),
        )
    return appointment


def _refused_series_body(plan, zone):
    """The proposal of the draft plan, with its first chair booked by someone else meanwhile.

    Posting it runs the whole booking (locks, re-check) and is refused: nothing is written.
    The first session goes to another chair already booked at that time, or, when every
    other chair is free then (small data), a bench-only booking takes the proposed chair.
    """
    from django.utils import timezone

    from clinic.models import Patient
    from scheduling.models import Appointment
    from scheduling.planner import series_propose

    proposal = series_propose(plan=plan, not_before=timezone.now())
    slots = list(proposal.slots)
    first = slots[0]
    taken = (
        Appointment.objects.active()
        .overlapping(first.starts_at, first.ends_at)
        .filter(room__routes=plan.protocol_version.route)
        .exclude(room_id=first.room_id)
        .values_list("room_id", flat=True)
        .first()
    )
    if taken is None:
        blocker = Patient.objects.filter(status="not_eligible", appointments__isnull=True).last()
        Appointment.session_of(
            route=plan.protocol_version.route,
            starts_at=first.starts_at,
            patient=blocker,
            room_id=first.room_id,
            clinician_id=first.clinician_id,
            booked_by=plan.ordered_by,
            cancel_note="Benchmark: takes the proposed chair",
        ).save()
        taken = first.room_id
    count = plan.protocol_version.session_count
    data = {
        "form-TOTAL_FORMS": str(count),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": str(count),
        "form-MAX_NUM_FORMS": str(count),
    }
    for index, slot in enumerate(slots):
        local = slot.starts_at.astimezone(zone)
        data[f"form-{index}-day"] = local.date().isoformat()
        data[f"form-{index}-time"] = local.strftime("%H:%M")
        data[f"form-{index}-room"] = str(taken if index == 0 else slot.room_id)
        data[f"form-{index}-clinician"] = str(slot.clinician_id)
    return urlencode(data)


def client_for(item):
    """A test client in the page's session: logged in with both factors, as the server's
    sessions are, through the patient's link, or with the search made."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from clinic.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if item["user_id"]:
        user = User.objects.get(pk=item["user_id"])
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = _app_device(user).persistent_id
        session.save()
    if item.get("start"):
        client.get(item["start"])
    if item.get("search"):
        client.post(item["url"], {"q": item["search"]})
    return client


def request(client, item):
    if item["method"] == "POST":
        return client.post(
            item["url"], item["body"], content_type="application/x-www-form-urlencoded"
        )
    return client.get(item["url"])


def count_queries(plan):
    """Request each page once through Django's test client and count its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for item in plan["pages"]:
        key = item.get("session") or item["role"]
        client = clients.get(key)
        if client is None:
            client = clients[key] = client_for(item)
        with CaptureQueriesContext(connection) as queries:
            response = request(client, item)
        item["queries"] = len(queries)
        item["status"] = response.status_code
        expected = item.get("expect_status", 200)
        body = b"".join(response) if response.streaming else response.content
        if response.status_code != expected or (
            item.get("expect_text") and item["expect_text"].encode() not in body
        ):
            raise SystemExit(
                f"{item['name']}: expected {expected}"
                f"{' and ' + repr(item['expect_text']) if item.get('expect_text') else ''}, "
                f"got {response.status_code}: {body[:300]!r}"
            )


if __name__ == "__main__":
    main(sys.argv[1])
