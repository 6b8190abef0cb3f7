"""Demo intakes for `manage.py seed_demo`: some half-filled, some waiting for review."""

from clinic.models import Patient, PatientStatus
from intake import services
from intake.models import Intake

ABOUT_YOU_FIELDS = services.PATIENT_FIELDS_FROM_ABOUT_YOU


def _answers(patient, *, phq9, gad7, trials_weeks=(8, 12, 4), complete=True):
    answers = {
        "about-you": {
            **{f: getattr(patient, f) for f in ABOUT_YOU_FIELDS},
            "date_of_birth": patient.date_of_birth.isoformat(),
            "address_line1": "500 Mission Street",
            "postal_code": "94105",
        },
        "contacts": {
            "emergency_contact_name": "Jamie Doe",
            "emergency_contact_relationship": "Partner",
            "emergency_contact_phone": "4155550200",
            "escort_name": "Jamie Doe",
            "escort_phone": "4155550200",
        },
    }
    if not complete:
        return answers
    answers["medical"] = {
        "high_blood_pressure": "no", "aneurysm": "no", "brain_bleed": "no",
        "heart_disease": "no", "ketamine_reaction": "no", "pregnancy": "no", "bladder": "no",
        "liver": "no", "sleep_apnea": "yes", "intracranial_pressure": "no", "glaucoma": "no",
        "other_conditions": "", "units": "metric", "height_cm": "172.0", "weight_kg": "70.0",
        "height_feet": None, "height_inches": None, "weight_lb": None,
        "bp_systolic": 128, "bp_diastolic": 82,
    }  # fmt: skip
    answers["mental-health"] = {
        "diagnoses": ["depression", "anxiety"], "other_diagnoses": "", "hospitalized": "no",
        "hospitalization_details": "", "psychosis_or_mania": "no", "substance_use": "no",
        "ketamine_or_pcp": "no", "substance_details": "", "therapist": "Dr Ruiz, 415 555 0190",
        "psychiatrist": "",
    }  # fmt: skip
    answers["medications"] = {
        "medications": [{"name": "Sertraline", "dose": "100 mg", "frequency": "once a day"},
                        {"name": "Lorazepam", "dose": "0.5 mg", "frequency": "as needed"}],
        "allergies": [{"substance": "Penicillin", "reaction": "rash"}],
        "trials": [{"name": name, "dose": "", "weeks": weeks, "outcome": "none"}
                   for name, weeks in zip(["Fluoxetine", "Escitalopram", "Bupropion"],
                                          trials_weeks, strict=False)],
    }  # fmt: skip
    answers["phq9"] = {**{f"item_{n}": v for n, v in enumerate(phq9, 1)}, "difficulty": 2}
    answers["gad7"] = {**{f"item_{n}": v for n, v in enumerate(gad7, 1)}, "difficulty": 1}
    return answers


def seed_intakes(stdout):
    created = 0
    flagged_one = False
    for patient in Patient.objects.filter(
        status__in=[PatientStatus.INTAKE_IN_PROGRESS, PatientStatus.UNDER_REVIEW]
    ).order_by("pk"):
        if Intake.objects.filter(patient=patient).exists():
            continue
        created += 1
        if patient.status == PatientStatus.INTAKE_IN_PROGRESS:
            Intake.objects.create(
                patient=patient, answers=_answers(patient, phq9=[], gad7=[], complete=False)
            )
            continue
        # One patient under review answered question 9 above zero: a flagged intake.
        self_harm = 0 if flagged_one else 1
        flagged_one = True
        phq9 = [3, 2, 2, 3, 2, 2, 2, 1, self_harm]
        intake = Intake.objects.create(
            patient=patient,
            answers=_answers(patient, phq9=phq9, gad7=[2, 2, 1, 2, 1, 1, 1]),
        )
        services.intake_consent_sign(
            intake=intake, signed_name=patient.legal_name, ip_address=None, user_agent="demo"
        )
        services.intake_submit(intake=intake)
    stdout.write(f"Demo intakes ready ({created} new).")
