import pytest

from tests.scheduling.factories import (
    chair_for,
    cleared_patient,
    clinician_with_hours,
    open_clinic,
)


@pytest.fixture
def clinic_open(db):
    open_clinic()


@pytest.fixture
def chair(clinic_open):
    return chair_for("iv", "im", "sc", name="Chair 1")


@pytest.fixture
def monitor(clinic_open):
    return clinician_with_hours(email="monitor@clinic.test", first_name="Nina")


@pytest.fixture
def iv_patient(db):
    return cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
