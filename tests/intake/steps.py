"""Valid POST data for each intake step, as a patient's browser sends it."""


def formset(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


SCREENING = [
    "high_blood_pressure",
    "aneurysm",
    "brain_bleed",
    "heart_disease",
    "ketamine_reaction",
    "pregnancy",
    "bladder",
    "liver",
    "sleep_apnea",
    "intracranial_pressure",
    "glaucoma",
]

VALID = {
    "about-you": {
        "legal_first_name": "Alex",
        "legal_last_name": "Morgan",
        "preferred_name": "",
        "date_of_birth": "03/14/1988",
        "pronouns": "they/them",
        "phone": "(415) 555-0100",
        "email": "alex@example.com",
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
        "emergency_contact_phone": "415 555 0111",
        "escort_name": "Jamie Doe",
        "escort_phone": "415 555 0111",
    },
    "medical": {
        **dict.fromkeys(SCREENING, "no"),
        "units": "us",
        "height_feet": "5",
        "height_inches": "10",
        "weight_lb": "170",
        "bp_systolic": "124",
        "bp_diastolic": "82",
    },
    "mental-health": {
        "diagnoses": ["depression", "anxiety"],
        "hospitalized": "no",
        "psychosis_or_mania": "no",
        "substance_use": "no",
        "ketamine_or_pcp": "no",
        "therapist": "Dr Ruiz",
    },
    "medications": {
        **formset("medications", [{"name": "Sertraline", "dose": "100 mg", "frequency": "daily"}]),
        **formset("allergies", [{"substance": "Penicillin", "reaction": "rash"}]),
        **formset(
            "trials",
            [
                {"name": "Fluoxetine", "dose": "40 mg", "weeks": "8", "outcome": "none"},
                {"name": "Escitalopram", "dose": "20 mg", "weeks": "10", "outcome": "some"},
            ],
        ),
    },
    "phq9": {**{f"item_{n}": "1" for n in range(1, 10)}, "item_9": "0", "difficulty": "1"},
    "gad7": {f"item_{n}": "1" for n in range(1, 8)},
    "consent": {"signed_name": "Alex Morgan", "agree": "on"},
}

# The text fields of each step, where hostile text goes.
TEXT_FIELDS = {
    "about-you": ["legal_first_name", "preferred_name", "date_of_birth", "phone", "email", "city"],
    "contacts": ["emergency_contact_name", "emergency_contact_phone", "escort_name"],
    "medical": ["other_conditions", "height_feet", "weight_lb", "bp_systolic", "units"],
    "mental-health": ["other_diagnoses", "hospitalized", "therapist", "diagnoses"],
    "medications": ["medications-0-name", "trials-0-weeks", "medications-TOTAL_FORMS"],
    "phq9": ["item_1", "item_9", "difficulty"],
    "gad7": ["item_1", "difficulty"],
    "consent": ["signed_name", "agree"],
}
