"""Demo data for scheduling: clinician hours, orders waiting to be booked, a few sessions."""

import datetime
from decimal import Decimal

from django.utils import timezone

from clinic.demo import register_seeder
from clinic.models import Patient, Route, User

DEMO_CLINICIANS = ["nurse@demo.clinic", "provider@demo.clinic"]
# (first name, last name, protocol name, dose, unit)
DEMO_ORDERS = [
    ("Robert", "Kowalski", "IV induction", Decimal("0.5"), "mg/kg"),
    ("Mei", "Lin", "Esketamine induction and early maintenance", Decimal("56"), "mg"),
]
DEMO_BOOKED = ["Carlos", "Rebecca", "Kwame", "Isabella"]


@register_seeder
def seed_scheduling(stdout):
    from scheduling.booking import SlotTaken, appointment_book
    from scheduling.models import (
        Appointment,
        ClinicianHours,
        Protocol,
        RemsEnrollment,
        TreatmentPlan,
    )
    from scheduling.planner import load_calendar

    clinicians = list(User.objects.filter(email__in=DEMO_CLINICIANS))
    for clinician in clinicians:
        for weekday in range(5):
            ClinicianHours.objects.get_or_create(
                clinician=clinician,
                weekday=weekday,
                defaults={"starts_at": datetime.time(8), "ends_at": datetime.time(18)},
            )
        ClinicianHours.objects.get_or_create(
            clinician=clinician,
            weekday=5,
            defaults={"starts_at": datetime.time(9), "ends_at": datetime.time(13)},
        )
    provider = User.objects.filter(email="provider@demo.clinic").first()
    frontdesk = User.objects.filter(email="frontdesk@demo.clinic").first()
    if provider is None or frontdesk is None:
        return
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for first, last, protocol_name, dose, unit in DEMO_ORDERS:
        patient = Patient.objects.filter(legal_first_name=first, legal_last_name=last).first()
        protocol = Protocol.objects.filter(name=protocol_name).first()
        if patient is None or protocol is None:
            continue
        patient.cleared_routes.add(protocol.route)
        if protocol.route_id == Route.Code.INTRANASAL:
            RemsEnrollment.objects.get_or_create(
                patient=patient,
                defaults={
                    "enrolled_on": timezone.localdate(),
                    "patient_signed": True,
                    "prescriber_signed": True,
                    "prescriber": provider,
                },
            )
        if not TreatmentPlan.objects.filter(patient=patient).exists():
            TreatmentPlan.objects.create(
                patient=patient,
                protocol_version=protocol.current_version(),
                dose=dose,
                dose_unit=unit,
                first_day=tomorrow,
                ordered_by=provider,
            )
    iv = Route.objects.get(code=Route.Code.IV)
    today = timezone.localdate()
    calendar = load_calendar(route=iv, first_day=today, last_day=today + datetime.timedelta(7))
    duration = datetime.timedelta(minutes=iv.session_minutes)
    booked = 0
    for first in DEMO_BOOKED:
        patient = Patient.objects.filter(legal_first_name=first).first()
        if patient is None or Appointment.objects.filter(patient=patient).exists():
            continue
        patient.cleared_routes.add(iv)
        after = timezone.now().replace(second=0, microsecond=0)
        for slot in calendar.next_free(patient_id=patient.pk, duration=duration, after=after):
            try:
                appointment_book(patient=patient, route=iv, slot=slot, booked_by=frontdesk)
            except SlotTaken:
                continue
            calendar = load_calendar(
                route=iv, first_day=today, last_day=today + datetime.timedelta(7)
            )
            booked += 1
            break
    stdout.write(f"Scheduling demo: clinician hours, 2 orders to plan, {booked} sessions booked.")
