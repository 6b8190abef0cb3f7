# Follow-ups are built on booked series: the same clinic, chair and clinician fixtures.
from tests.scheduling.conftest import chair, clinic_open, iv_patient, monitor  # noqa: F401
