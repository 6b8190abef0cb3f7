"""Stored answers turned into question-and-answer rows, for the patient's review and for staff."""

import datetime
from dataclasses import dataclass

from django import forms

from intake.forms import STEP_FORMS, MedicationsForm
from intake.questions import ANSWER_STEPS, STEPS_BY_SLUG

NOT_ANSWERED = "—"


@dataclass(frozen=True)
class AnswerSection:
    slug: str
    title: str
    rows: list  # (question, answer) pairs
    complete: bool


def _display(field, value):
    if value in (None, "", []):
        return NOT_ANSWERED
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if isinstance(field, forms.DateField) and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).strftime("%m/%d/%Y")
        except ValueError:
            return value
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if choices:
        return str(choices.get(value, choices.get(str(value), value)))
    return str(value)


def _medication_rows(answers):
    rows = []
    for key, title, form_class, _name in MedicationsForm.sections:
        entries = answers.get(key, [])
        if not entries:
            rows.append((title, "None"))
            continue
        fields = form_class.base_fields
        for number, entry in enumerate(entries, start=1):
            parts = [
                _display(fields[name], entry.get(name))
                for name in fields
                if entry.get(name) not in (None, "")
            ]
            rows.append((f"{title}: {number}", " · ".join(parts)))
    return rows


def answer_sections(answers: dict) -> list[AnswerSection]:
    sections = []
    for slug in ANSWER_STEPS:
        step_answers = answers.get(slug, {})
        if slug == "medications":
            rows = _medication_rows(step_answers)
        else:
            form = STEP_FORMS[slug]()
            rows = [
                (str(field.label), _display(field, step_answers.get(name)))
                for name, field in form.fields.items()
                if not (slug == "medical" and name == "units")
            ]
        sections.append(
            AnswerSection(slug, STEPS_BY_SLUG[slug].title, rows, complete=slug in answers)
        )
    return sections
