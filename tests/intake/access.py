from tests.access import Rule, everyone, only
from tests.factories import PatientFactory
from tests.intake.factories import IntakeFactory

# Patient pages answer 404 without a link opened in this session, whoever asks.
PATIENT_PAGE = Rule(anonymous=404, roles=everyone(404))
SENDERS = ("front_desk", "provider", "clinic_admin")
CLINICAL = ("nurse", "provider", "clinic_admin")


def patient_pk():
    return {"patient_pk": PatientFactory().pk}


def intake_pk():
    return {"pk": IntakeFactory().pk}


ACCESS = {
    "intake:start": Rule(
        anonymous=404, roles=everyone(404), kwargs=lambda: {"token": "not-a-real-token"}
    ),
    "intake:welcome": PATIENT_PAGE,
    "intake:step": Rule(anonymous=404, roles=everyone(404), kwargs=lambda: {"slug": "about-you"}),
    "intake:done": PATIENT_PAGE,
    # Self-referral is off unless the clinic turns it on.
    "intake:self_referral": Rule(anonymous=404, roles=everyone(404)),
    "intake:queue": Rule(roles=only(*CLINICAL)),
    "intake:review": Rule(roles=only(*CLINICAL), kwargs=intake_pk),
    "intake:decide": Rule(roles=only("provider", status=405), kwargs=intake_pk),
    "intake:link_send": Rule(roles=only(*SENDERS, status=405), kwargs=patient_pk),
    "intake:link_copy": Rule(roles=only(*SENDERS, status=405), kwargs=patient_pk),
    "intake:link_revoke": Rule(roles=only(*SENDERS, status=405), kwargs=patient_pk),
}

ACCESS |= {"intake:settings_consent": Rule(roles=only("clinic_admin"))}
