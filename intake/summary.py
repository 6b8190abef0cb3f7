"""What a provider needs first from an intake, computed from the stored answers."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from clinic.instruments import PHQ9, phq9_self_harm_risk
from clinic.models import Clinic
from intake.questions import (
    ADEQUATE_TRIAL_WEEKS,
    CONTRAINDICATIONS,
    PSYCHIATRIC_FLAGS,
    medication_class,
)


@dataclass
class IntakeSummary:
    self_harm_risk: bool = False
    contraindications: list = field(default_factory=list)
    medications_to_note: list = field(default_factory=list)
    adequate_trials: int = 0
    trials: list = field(default_factory=list)
    bmi: Decimal | None = None
    weight_kg: str | None = None
    height_cm: str | None = None
    blood_pressure: str | None = None


def _decimal(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None


def body_mass_index(*, weight_kg, height_cm):
    weight, height = _decimal(weight_kg), _decimal(height_cm)
    if weight is None or height is None:
        return None
    metres = height / 100
    return (weight / (metres * metres)).quantize(Decimal("0.1"))


def summarize(answers: dict, clinic: Clinic | None = None) -> IntakeSummary:
    summary = IntakeSummary()
    medical = answers.get("medical", {})
    mental = answers.get("mental-health", {})
    medications = answers.get("medications", {})
    phq9 = answers.get("phq9", {})

    phq9_items = [phq9.get(f"item_{n}", 0) for n in range(1, len(PHQ9.items) + 1)]
    summary.self_harm_risk = phq9_self_harm_risk(phq9_items)
    summary.contraindications = [
        flag for key, _question, flag in CONTRAINDICATIONS if medical.get(key) == "yes"
    ] + [flag for key, flag in PSYCHIATRIC_FLAGS if mental.get(key) == "yes"]

    systolic, diastolic = medical.get("bp_systolic"), medical.get("bp_diastolic")
    if systolic and diastolic:
        summary.blood_pressure = f"{systolic}/{diastolic}"
        clinic = clinic or Clinic.load()
        if systolic > clinic.dosing_hold_systolic or diastolic > clinic.dosing_hold_diastolic:
            summary.contraindications.append(
                f"Last known blood pressure {systolic}/{diastolic} is above "
                f"{clinic.dosing_hold_systolic}/{clinic.dosing_hold_diastolic}"
            )

    summary.weight_kg = medical.get("weight_kg")
    summary.height_cm = medical.get("height_cm")
    summary.bmi = body_mass_index(weight_kg=summary.weight_kg, height_cm=summary.height_cm)

    for row in medications.get("medications", []):
        label = medication_class(row.get("name", ""))
        if label:
            summary.medications_to_note.append(f"{row['name']} ({label})")
    summary.trials = medications.get("trials", [])
    summary.adequate_trials = sum(
        1 for row in summary.trials if (row.get("weeks") or 0) >= ADEQUATE_TRIAL_WEEKS
    )
    return summary
