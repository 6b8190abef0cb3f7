import datetime

from django.utils import timezone

from clinic.models import Route
from scheduling.models import Appointment
from tests.access import Rule, everyone, only
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    open_clinic,
)


def patient_pk():
    return {"patient_pk": cleared_patient("iv").pk}


def plan_pk():
    return {"pk": TreatmentPlanFactory().pk}


def appointment_pk():
    open_clinic(weekdays=range(7))
    clinician = clinician_with_hours()
    starts = at(timezone.localdate() + datetime.timedelta(days=2), 9)
    appointment = book(
        patient=cleared_patient("iv"),
        room=chair_for("iv"),
        clinician=clinician,
        starts_at=starts,
    )
    return {"pk": appointment.pk}


def rems_record_pk():
    from scheduling.models import SessionRecord

    open_clinic(weekdays=range(7))
    appointment = Appointment.objects.create(
        patient=cleared_patient("intranasal"),
        route=Route.objects.get(code="intranasal"),
        room=chair_for("intranasal"),
        clinician=UserFactory(),
        starts_at=at(timezone.localdate(), 9),
        ends_at=at(timezone.localdate(), 12),
        chair_until=at(timezone.localdate(), 12),
        preparation_minutes=15,
        administration_minutes=10,
        monitoring_minutes=120,
        booked_by=UserFactory(),
    )
    SessionRecord.objects.create(appointment=appointment, dose_started_at=timezone.now())
    return {"pk": appointment.pk}


def feed_token():
    from scheduling.models import CalendarFeed

    return {"token": CalendarFeed.objects.create(clinician=UserFactory()).token}


BOOKERS = ("front_desk", "provider")
STAFF = ("front_desk", "nurse", "provider", "clinic_admin")

ACCESS = {
    "scheduling:day": Rule(),
    "scheduling:week": Rule(),
    "scheduling:today": Rule(),
    "scheduling:flow_board": Rule(),
    "scheduling:flow_board_rows": Rule(),
    "scheduling:plan_create": Rule(roles=only("provider"), kwargs=patient_pk),
    "scheduling:preferences_edit": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:rems_enroll": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:plan_detail": Rule(kwargs=plan_pk),
    "scheduling:plan_close": Rule(
        roles=only("front_desk", "nurse", "provider", status=405), kwargs=plan_pk
    ),
    "scheduling:plan_book": Rule(roles=only(*BOOKERS, status=405), kwargs=plan_pk),
    "scheduling:appointment_create": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:appointment_detail": Rule(kwargs=appointment_pk),
    # POST-only actions: GET is refused with 405 once the permission check passed.
    "scheduling:appointment_check_in": Rule(
        roles=only("front_desk", "nurse", "provider", status=405), kwargs=appointment_pk
    ),
    "scheduling:appointment_seat": Rule(
        roles=only("front_desk", "nurse", "provider", status=405), kwargs=appointment_pk
    ),
    "scheduling:appointment_cancel": Rule(
        roles=only("front_desk", "nurse", "provider", status=405), kwargs=appointment_pk
    ),
    "scheduling:appointment_reschedule": Rule(
        roles=only("front_desk", "nurse", "provider"), kwargs=appointment_pk
    ),
    "scheduling:session_record": Rule(
        roles=only("nurse", "provider", "clinic_admin"), kwargs=appointment_pk
    ),
    "scheduling:session_record_pre_dose": Rule(
        roles=only("nurse", status=405), kwargs=appointment_pk
    ),
    "scheduling:session_record_hold": Rule(
        roles=only("provider", status=405), kwargs=appointment_pk
    ),
    "scheduling:session_record_start_dose": Rule(
        roles=only("nurse", status=405), kwargs=appointment_pk
    ),
    "scheduling:session_record_dose": Rule(roles=only("nurse", status=405), kwargs=appointment_pk),
    "scheduling:session_record_observe": Rule(
        roles=only("nurse", status=405), kwargs=appointment_pk
    ),
    "scheduling:session_record_discharge": Rule(
        roles=only("nurse", status=405), kwargs=appointment_pk
    ),
    "scheduling:session_record_sign": Rule(roles=only("nurse", status=405), kwargs=appointment_pk),
    "scheduling:session_record_amend": Rule(
        roles=only("nurse", "provider", status=405), kwargs=appointment_pk
    ),
    "scheduling:rems_form": Rule(
        roles=only("nurse", "provider", "clinic_admin"), kwargs=rems_record_pk
    ),
    "scheduling:rems_mark_submitted": Rule(roles=only("nurse", status=405), kwargs=rems_record_pk),
    "scheduling:rems_due": Rule(roles=only("nurse", "provider", "clinic_admin")),
    # The secret address is the credential; calendar apps cannot log in.
    "scheduling:clinician_feed": Rule(anonymous=200, roles=everyone(200), kwargs=feed_token),
    "scheduling:my_feed_create": Rule(roles=everyone(405)),
}

__all__ = ["PatientFactory", "STAFF"]


def protocol_pk():
    from scheduling.models import Protocol

    return {"pk": Protocol.objects.first().pk}


ACCESS |= {
    "scheduling:settings_protocols": Rule(roles=only("clinic_admin")),
    "scheduling:settings_protocol_edit": Rule(roles=only("clinic_admin"), kwargs=protocol_pk),
}
