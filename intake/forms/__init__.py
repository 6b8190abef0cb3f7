from intake.forms.base import StepForm, as_json
from intake.forms.decision import DecisionForm
from intake.forms.medications import MedicationsForm
from intake.forms.referral import SelfReferralForm
from intake.forms.steps import (
    AboutYouForm,
    ConsentForm,
    ContactsForm,
    GAD7Form,
    MedicalForm,
    MentalHealthForm,
    PHQ9Form,
)

STEP_FORMS = {
    "about-you": AboutYouForm,
    "contacts": ContactsForm,
    "medical": MedicalForm,
    "mental-health": MentalHealthForm,
    "medications": MedicationsForm,
    "phq9": PHQ9Form,
    "gad7": GAD7Form,
    "consent": ConsentForm,
}

__all__ = [
    "STEP_FORMS",
    "AboutYouForm",
    "ConsentForm",
    "ContactsForm",
    "DecisionForm",
    "GAD7Form",
    "MedicalForm",
    "MedicationsForm",
    "MentalHealthForm",
    "PHQ9Form",
    "SelfReferralForm",
    "StepForm",
    "as_json",
]
