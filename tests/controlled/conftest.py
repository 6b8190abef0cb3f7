import pytest

from tests.controlled.factories import receive, session_record
from tests.scheduling.factories import open_clinic


@pytest.fixture
def vial(db):
    """One sealed 10 mL vial of ketamine 50 mg/mL (500 mg) in the safe."""
    return receive(count=1)[0]


@pytest.fixture
def record(db):
    open_clinic()
    return session_record()
