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
                protocol_version=protocol.snapshot(),
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
    seed_past_esketamine_session(provider=provider, frontdesk=frontdesk)
    stdout.write(f"Scheduling demo: clinician hours, 2 orders to plan, {booked} sessions booked.")


def seed_past_esketamine_session(*, provider, frontdesk):
    """A signed intranasal session two weekdays ago, so the REMS list has a form due."""
    from scheduling.models import Appointment, RemsEnrollment, SessionRecord
    from scheduling.models.records import REMS_DAYS
    from scheduling.planner import load_calendar

    patient = Patient.objects.filter(legal_first_name="Aisha", legal_last_name="Rahman").first()
    route = Route.objects.get(code=Route.Code.INTRANASAL)
    if patient is None or Appointment.objects.filter(patient=patient).exists():
        return
    patient.cleared_routes.add(route)
    day = timezone.localdate() - datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    RemsEnrollment.objects.get_or_create(
        patient=patient,
        defaults={
            "enrolled_on": day - datetime.timedelta(days=7),
            "patient_signed": True,
            "prescriber_signed": True,
            "prescriber": provider,
        },
    )
    calendar = load_calendar(route=route, first_day=day, last_day=day)
    start = calendar.at(day, datetime.time(9))
    slot = calendar.free_slot_at(
        patient_id=patient.pk,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=route.session_minutes),
    )
    if slot is None:
        return
    # Booking refuses a time that has passed: the session is written as it was held, in a
    # chair and with a clinician the calendar found free then.
    appointment = Appointment.session_of(
        route=route,
        starts_at=slot.starts_at,
        patient=patient,
        room_id=slot.room_id,
        clinician_id=slot.clinician_id,
        booked_by=frontdesk,
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=slot.starts_at,
    )
    appointment.save()
    dosed = start + datetime.timedelta(minutes=15)
    record = SessionRecord.objects.create(
        appointment=appointment,
        escort_confirmed=True,
        fasting_kept=True,
        no_health_changes=True,
        systolic=128,
        diastolic=82,
        heart_rate=72,
        spo2=98,
        vitals_at=start + datetime.timedelta(minutes=5),
        dose_amount=56,
        dose_unit="mg",
        lot_number="DEMO-LOT-1",
        dose_started_at=dosed,
        dose_ended_at=dosed + datetime.timedelta(minutes=10),
        discharged_at=dosed + datetime.timedelta(minutes=130),
        ready_to_leave_at=dosed + datetime.timedelta(minutes=130),
        discharge_criteria_met=True,
        vitals_acceptable_at_end=True,
        released_to_escort=True,
        signed_by=appointment.clinician,
        signed_at=dosed + datetime.timedelta(minutes=135),
        rems_due_on=timezone.localdate(dosed) + datetime.timedelta(days=REMS_DAYS),
    )
    for minutes, systolic in ((40, 142), (90, 132), (125, 126)):
        record.observations.create(
            at=dosed + datetime.timedelta(minutes=minutes),
            systolic=systolic,
            diastolic=84,
            heart_rate=76,
            spo2=98,
            moaas=5,
            recorded_by=appointment.clinician,
        )
    appointment.status = Appointment.Status.COMPLETED
    appointment.save(update_fields=["status"])
