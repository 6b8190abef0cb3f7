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


def follow_up_pk():
    from scheduling.models import FollowUp

    patient = cleared_patient("iv")
    today = timezone.localdate()
    return {
        "pk": FollowUp.objects.create(
            patient=patient, kind="post_series", due_from=today, due_by=today
        ).pk
    }


def measure_kwargs():
    return {"patient_pk": cleared_patient("iv").pk, "instrument": "phq9"}


def questionnaire_token():
    from clinic.models import LinkPurpose, PatientLink

    _, token = PatientLink.issue(patient=PatientFactory(), purpose=LinkPurpose.QUESTIONNAIRE)
    return {"token": token}


def opt_out_token():
    from scheduling.reminders import opt_out_token as make_token

    return {"token": make_token(PatientFactory())}


BOOKERS = ("front_desk", "provider")
FOLLOW_UP_STAFF = ("front_desk", "nurse", "provider")
STAFF = ("front_desk", "nurse", "provider", "clinic_admin")

ACCESS = {
    "scheduling:day": Rule(),
    "scheduling:week": Rule(),
    "scheduling:today": Rule(),
    "scheduling:plan_create": Rule(roles=only("provider"), kwargs=patient_pk),
    "scheduling:preferences_edit": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:rems_enroll": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:plan_detail": Rule(kwargs=plan_pk),
    "scheduling:appointment_create": Rule(roles=only(*BOOKERS), kwargs=patient_pk),
    "scheduling:appointment_detail": Rule(kwargs=appointment_pk),
    # POST-only actions: GET is refused with 405 once the permission check passed.
    "scheduling:appointment_check_in": Rule(
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
    "scheduling:rems_form": Rule(
        roles=only("nurse", "provider", "clinic_admin"), kwargs=rems_record_pk
    ),
    "scheduling:rems_mark_submitted": Rule(roles=only("nurse", status=405), kwargs=rems_record_pk),
    "scheduling:rems_due": Rule(roles=only("nurse", "provider", "clinic_admin")),
    # The secret address is the credential; calendar apps cannot log in.
    "scheduling:clinician_feed": Rule(anonymous=200, roles=everyone(200), kwargs=feed_token),
    # Follow-ups, outcomes, reminders, exports.
    "scheduling:worklist": Rule(),
    "scheduling:follow_up_create": Rule(roles=only(*FOLLOW_UP_STAFF), kwargs=patient_pk),
    "scheduling:follow_up_book": Rule(roles=only(*FOLLOW_UP_STAFF), kwargs=follow_up_pk),
    "scheduling:follow_up_close": Rule(
        roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=follow_up_pk
    ),
    "scheduling:measure_create": Rule(roles=only("nurse", "provider"), kwargs=measure_kwargs),
    "scheduling:questionnaire_send": Rule(
        roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=patient_pk
    ),
    "scheduling:reminders_toggle": Rule(
        roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=patient_pk
    ),
    "scheduling:patient_export": Rule(
        roles=only("nurse", "provider", "clinic_admin"), kwargs=patient_pk
    ),
    "scheduling:clinic_report": Rule(roles=only("provider", "clinic_admin")),
    "scheduling:clinic_report_csv": Rule(roles=only("provider", "clinic_admin")),
    # Patient pages: the token is swapped for a session and a token-free redirect; without
    # that session the questionnaire answers with the friendly "link does not work" page.
    "scheduling:questionnaire_start": Rule(
        anonymous=302, roles=everyone(302), kwargs=questionnaire_token
    ),
    "scheduling:questionnaire": Rule(anonymous=404, roles=everyone(404)),
    "scheduling:questionnaire_done": Rule(anonymous=404, roles=everyone(404)),
    "scheduling:reminders_opt_out": Rule(anonymous=200, roles=everyone(200), kwargs=opt_out_token),
}

__all__ = ["PatientFactory", "STAFF"]
