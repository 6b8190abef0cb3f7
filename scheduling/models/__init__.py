from scheduling.models.appointments import (
    ACTIVE_STATUSES,
    UNFINISHED_STATUSES,
    Appointment,
    DoseUnit,
    TreatmentPlan,
)
from scheduling.models.protocols import Protocol, ProtocolVersion
from scheduling.models.records import Amendment, Observation, SessionRecord
from scheduling.models.rems import RemsEnrollment
from scheduling.models.resources import (
    CalendarFeed,
    ClinicianHours,
    SchedulingPreference,
    TimeOff,
)

__all__ = [
    "Amendment",
    "Observation",
    "SessionRecord",
    "ACTIVE_STATUSES",
    "UNFINISHED_STATUSES",
    "Appointment",
    "CalendarFeed",
    "ClinicianHours",
    "DoseUnit",
    "Protocol",
    "ProtocolVersion",
    "RemsEnrollment",
    "SchedulingPreference",
    "TimeOff",
    "TreatmentPlan",
]
