"""PHQ-9 and GAD-7: the questions, the answer options and the published scoring.

Pure data and pure functions, shared by intake (the baseline) and follow-ups
(the trend). Cut-offs: Kroenke et al. 2001 (PHQ-9), Spitzer et al. 2006 (GAD-7).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models

ANSWER_OPTIONS = [
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
]
DIFFICULTY_OPTIONS = [
    (0, "Not difficult at all"),
    (1, "Somewhat difficult"),
    (2, "Very difficult"),
    (3, "Extremely difficult"),
]
RECALL_PERIOD = "Over the last 2 weeks, how often have you been bothered by any of the following?"
DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)


class InstrumentCode(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    title: str
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    recall_period: str = RECALL_PERIOD
    difficulty_question: str = DIFFICULTY_QUESTION

    @property
    def max_total(self):
        return 3 * len(self.items)


class Score(NamedTuple):
    total: int
    band: str


PHQ9 = Instrument(
    code=InstrumentCode.PHQ9,
    name="PHQ-9",
    title="Mood (PHQ-9)",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
)

GAD7 = Instrument(
    code=InstrumentCode.GAD7,
    name="GAD-7",
    title="Anxiety (GAD-7)",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
)

INSTRUMENTS = {PHQ9.code: PHQ9, GAD7.code: GAD7}

# PHQ-9 item 9 (self-harm thoughts), counted from 1 as printed on the form.
PHQ9_RISK_ITEM = 9


def severity_band(instrument: Instrument, total: int) -> str:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band.label
    raise ValueError(f"{instrument.name} totals run from 0 to {instrument.max_total}, not {total}.")


def score(instrument: Instrument, answers: Sequence[int]) -> Score:
    """The total and severity band of a complete set of item answers (each 0–3)."""
    if len(answers) != len(instrument.items):
        raise ValueError(
            f"{instrument.name} has {len(instrument.items)} items, not {len(answers)}."
        )
    if any(not isinstance(a, int) or isinstance(a, bool) or not 0 <= a <= 3 for a in answers):
        raise ValueError(f"{instrument.name} answers are whole numbers from 0 to 3.")
    total = sum(answers)
    return Score(total=total, band=severity_band(instrument, total))


def phq9_self_harm_risk(answers: Sequence[int]) -> bool:
    """Any answer above 0 to item 9 needs immediate clinical follow-up, whatever the total."""
    return len(answers) >= PHQ9_RISK_ITEM and answers[PHQ9_RISK_ITEM - 1] > 0
