import factory

from intake import services
from intake.models import Intake
from tests.factories import PatientFactory


def phq9_answers(items=(2, 2, 1, 2, 1, 1, 1, 1, 0), difficulty=1):
    return {**{f"item_{n}": v for n, v in enumerate(items, 1)}, "difficulty": difficulty}


def gad7_answers(items=(1, 1, 1, 1, 1, 1, 1), difficulty=None):
    return {**{f"item_{n}": v for n, v in enumerate(items, 1)}, "difficulty": difficulty}


def complete_answers(patient, *, phq9=None, gad7=None, medical=None, trials=None):
    """Stored answers for every step, as the step forms save them."""
    return {
        "about-you": {
            "legal_first_name": patient.legal_first_name,
            "legal_last_name": patient.legal_last_name,
            "preferred_name": "",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "pronouns": "they/them",
            "phone": "4155550100",
            "email": patient.email,
            "address_line1": "1 Main Street",
            "address_line2": "",
            "city": "Oakland",
            "state": "CA",
            "postal_code": "94601",
            "preferred_language": "English",
        },
        "contacts": {
            "emergency_contact_name": "Jamie Doe",
            "emergency_contact_relationship": "Partner",
            "emergency_contact_phone": "4155550111",
            "escort_name": "Jamie Doe",
            "escort_phone": "4155550111",
        },
        "medical": {
            "high_blood_pressure": "no",
            "aneurysm": "no",
            "brain_bleed": "no",
            "heart_disease": "no",
            "ketamine_reaction": "no",
            "pregnancy": "no",
            "bladder": "no",
            "liver": "no",
            "sleep_apnea": "no",
            "intracranial_pressure": "no",
            "glaucoma": "no",
            "other_conditions": "",
            "units": "metric",
            "height_cm": "180.0",
            "weight_kg": "81.0",
            "bp_systolic": 120,
            "bp_diastolic": 80,
            **(medical or {}),
        },
        "mental-health": {
            "diagnoses": ["depression"],
            "hospitalized": "no",
            "psychosis_or_mania": "no",
            "substance_use": "no",
            "ketamine_or_pcp": "no",
        },
        "medications": {
            "medications": [{"name": "Sertraline", "dose": "100 mg", "frequency": "daily"}],
            "allergies": [],
            "trials": trials
            if trials is not None
            else [
                {"name": "Fluoxetine", "dose": "40 mg", "weeks": 8, "outcome": "none"},
                {"name": "Bupropion", "dose": "300 mg", "weeks": 3, "outcome": "some"},
            ],
        },
        "phq9": phq9 or phq9_answers(),
        "gad7": gad7 or gad7_answers(),
    }


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)


def answered_intake(**kwargs):
    """An intake with every step answered and the consent signed, not yet submitted."""
    patient = kwargs.pop("patient", None) or PatientFactory()
    intake = IntakeFactory(patient=patient, answers=complete_answers(patient, **kwargs))
    services.intake_consent_sign(
        intake=intake, signed_name=patient.legal_name, ip_address="203.0.113.9", user_agent="UA"
    )
    return intake


def submitted_intake(**kwargs):
    intake = answered_intake(**kwargs)
    return services.intake_submit(intake=intake)
