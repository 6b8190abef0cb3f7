from django.utils import timezone

from tests.access import Rule, everyone, only
from tests.factories import PatientFactory
from tests.scheduling.factories import cleared_patient


def patient_pk():
    return {"patient_pk": cleared_patient("iv").pk}


def follow_up_pk():
    from followups.models import FollowUp

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
    from followups.preferences import opt_out_token as make_token

    return {"token": make_token(PatientFactory())}


FOLLOW_UP_STAFF = ("front_desk", "nurse", "provider")

ACCESS = {
    "followups:worklist": Rule(),
    "followups:follow_up_create": Rule(roles=only(*FOLLOW_UP_STAFF), kwargs=patient_pk),
    "followups:follow_up_book": Rule(roles=only(*FOLLOW_UP_STAFF), kwargs=follow_up_pk),
    "followups:follow_up_close": Rule(
        roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=follow_up_pk
    ),
    "followups:measure_create": Rule(roles=only("nurse", "provider"), kwargs=measure_kwargs),
    "followups:questionnaire_send": Rule(
        roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=patient_pk
    ),
    "followups:reminders_toggle": Rule(roles=only(*FOLLOW_UP_STAFF, status=405), kwargs=patient_pk),
    "followups:patient_export": Rule(
        roles=only("nurse", "provider", "clinic_admin"), kwargs=patient_pk
    ),
    "followups:clinic_report": Rule(roles=only("provider", "clinic_admin")),
    "followups:clinic_report_csv": Rule(roles=only("provider", "clinic_admin")),
    # Patient pages: the token is swapped for a session and a token-free redirect; without
    # that session the questionnaire answers with the friendly "link does not work" page.
    "followups:questionnaire_start": Rule(
        anonymous=302, roles=everyone(302), kwargs=questionnaire_token
    ),
    "followups:questionnaire": Rule(anonymous=404, roles=everyone(404)),
    "followups:questionnaire_done": Rule(anonymous=404, roles=everyone(404)),
    "followups:reminders_opt_out": Rule(anonymous=200, roles=everyone(200), kwargs=opt_out_token),
}
