from clinic.models import SafetyFlag
from tests.access import Rule, everyone, only
from tests.factories import PatientFactory


def patient_pk():
    return {"pk": PatientFactory().pk}


def safety_flag_pk():
    return {"pk": SafetyFlag.objects.create(patient=PatientFactory(), reason="test").pk}


ACCESS = {
    "home": Rule(),
    "login": Rule(anonymous=200, roles=everyone(302)),
    "logout": Rule(roles=everyone(405)),
    # A verified login is sent on from the code step and enrolment.
    "two_factor_verify": Rule(roles=everyone(302)),
    "two_factor_recovery": Rule(roles=everyone(302)),
    "two_factor_enrol": Rule(roles=everyone(302)),
    "two_factor_settings": Rule(),
    "two_factor_recovery_codes": Rule(roles=everyone(302)),  # none to show
    "two_factor_recovery_codes_new": Rule(roles=everyone(405)),
    # POST only, and open to patients holding a link (who have no login).
    "session_keep_alive": Rule(anonymous=405, roles=everyone(405)),
    "password_change": Rule(),
    "password_change_done": Rule(),
    "password_reset": Rule(anonymous=200),
    "password_reset_done": Rule(anonymous=200),
    "password_reset_confirm": Rule(
        anonymous=200, kwargs=lambda: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Rule(anonymous=200),
    "clinic:patient_list": Rule(),
    "clinic:patient_create": Rule(roles=only("front_desk", "clinic_admin")),
    "clinic:patient_detail": Rule(kwargs=patient_pk),
    "clinic:patient_update": Rule(roles=only("front_desk", "clinic_admin"), kwargs=patient_pk),
    "clinic:patient_history": Rule(roles=only("clinic_admin"), kwargs=patient_pk),
    "clinic:patient_access_log": Rule(roles=only("clinic_admin"), kwargs=patient_pk),
    "clinic:access_log_export": Rule(roles=only("clinic_admin")),
    "clinic:safety_flag_acknowledge": Rule(
        roles=only("provider", status=405), kwargs=safety_flag_pk
    ),
}

from tests.clinic.access_settings import ACCESS as SETTINGS_ACCESS  # noqa: E402

ACCESS |= SETTINGS_ACCESS
