"""What intake asks, in the words a patient reads; the clinical lists come from docs/CLINICAL.md."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    reopenable: bool = True


STEPS = [
    Step("about-you", "About you"),
    Step("contacts", "Emergency contact and ride home"),
    Step("medical", "Medical history"),
    Step("mental-health", "Mental health history"),
    Step("medications", "Medications and allergies"),
    Step("phq9", "Mood questionnaire (PHQ-9)"),
    Step("gad7", "Anxiety questionnaire (GAD-7)"),
    Step("consent", "Consent", reopenable=False),
    Step("review", "Review and submit", reopenable=False),
]
STEP_SLUGS = [step.slug for step in STEPS]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
ANSWER_STEPS = [step.slug for step in STEPS if step.slug not in ("consent", "review")]
REVIEW = "review"
CONSENT = "consent"

YES_NO = [("yes", "Yes"), ("no", "No")]

# Screening questions that a "yes" turns into a flag for the provider.
CONTRAINDICATIONS = [
    (
        "high_blood_pressure",
        "Do you have high blood pressure that is not under control with treatment?",
        "Uncontrolled high blood pressure",
    ),
    (
        "aneurysm",
        "Have you ever had an aneurysm (a bulging blood vessel in the chest, belly, brain, arms or "
        "legs) or an arteriovenous malformation?",
        "Aneurysm or vascular malformation",
    ),
    (
        "brain_bleed",
        "Have you ever had a stroke or bleeding in the brain?",
        "Stroke or brain bleed",
    ),
    (
        "heart_disease",
        "Do you have serious heart disease, such as heart failure, a past heart attack or an "
        "irregular heartbeat?",
        "Serious heart disease",
    ),
    (
        "ketamine_reaction",
        "Have you ever had an allergic or bad reaction to ketamine or esketamine (Spravato)?",
        "Prior reaction to ketamine or esketamine",
    ),
    (
        "pregnancy",
        "Are you pregnant, trying to become pregnant, or breastfeeding?",
        "Pregnancy or breastfeeding",
    ),
    (
        "bladder",
        "Do you have bladder problems, such as pain, blood in your urine, or needing to go very "
        "often?",
        "Bladder problems",
    ),
    ("liver", "Do you have liver disease?", "Liver disease"),
    (
        "sleep_apnea",
        "Have you been told you have sleep apnea, or that you stop breathing while asleep?",
        "Sleep apnea",
    ),
    (
        "intracranial_pressure",
        "Have you been told you have raised pressure inside your head?",
        "Raised intracranial pressure",
    ),
    ("glaucoma", "Do you have glaucoma (raised pressure in the eye)?", "Glaucoma"),
]

PSYCHIATRIC_FLAGS = [
    ("psychosis_or_mania", "Psychosis or mania, now or in the past"),
    ("ketamine_or_pcp", "Ketamine or PCP use other than as prescribed"),
    ("substance_use", "Substance use causing problems in the last 12 months"),
]

DIAGNOSES = [
    ("depression", "Depression"),
    ("bipolar", "Bipolar disorder"),
    ("anxiety", "Anxiety"),
    ("ptsd", "PTSD"),
    ("ocd", "OCD"),
    ("eating", "An eating disorder"),
    ("adhd", "ADHD"),
    ("psychotic", "Schizophrenia or another psychotic disorder"),
]

TRIAL_OUTCOMES = [
    ("none", "It did not help"),
    ("some", "It helped a little"),
    ("much", "It helped a lot"),
    ("unsure", "I am not sure"),
]

# A trial is counted as adequate when the patient took it at least this long;
# the provider judges the dose.
ADEQUATE_TRIAL_WEEKS = 6

# Medications docs/CLINICAL.md asks the provider to note, by generic or brand name.
MEDICATIONS_TO_NOTE = {
    "Benzodiazepine": [
        "alprazolam", "xanax", "lorazepam", "ativan", "clonazepam", "klonopin", "diazepam",
        "valium", "temazepam", "chlordiazepoxide", "oxazepam",
    ],
    "Sedative hypnotic": ["zolpidem", "ambien", "eszopiclone", "lunesta", "zaleplon"],
    "Psychostimulant": [
        "methylphenidate", "ritalin", "concerta", "amphetamine", "adderall",
        "lisdexamfetamine", "vyvanse", "modafinil", "armodafinil", "dexmethylphenidate",
    ],
    "MAOI": ["phenelzine", "nardil", "tranylcypromine", "parnate", "selegiline", "emsam",
             "isocarboxazid", "marplan"],
    "Lamotrigine": ["lamotrigine", "lamictal"],
    "Opioid": [
        "oxycodone", "hydrocodone", "morphine", "fentanyl", "tramadol", "codeine",
        "methadone", "buprenorphine", "suboxone", "hydromorphone", "percocet", "vicodin",
    ],
}  # fmt: skip


def medication_class(name: str) -> str | None:
    words = (name or "").casefold()
    for label, names in MEDICATIONS_TO_NOTE.items():
        if any(known in words for known in names):
            return label
    return None
