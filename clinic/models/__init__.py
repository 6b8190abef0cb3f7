from clinic.models.access import AccessKind, AccessLogEntry
from clinic.models.configuration import Clinic, Closure, OpeningHours, Room, Route, Weekday
from clinic.models.heartbeats import Heartbeat
from clinic.models.links import LinkPurpose, PatientLink
from clinic.models.measures import MeasureSource, OutcomeMeasure, SafetyFlag
from clinic.models.patients import Patient, PatientStatus, Sex
from clinic.models.ratelimits import RateCounter
from clinic.models.users import User

__all__ = [
    "AccessKind",
    "AccessLogEntry",
    "Clinic",
    "Closure",
    "Heartbeat",
    "LinkPurpose",
    "MeasureSource",
    "OpeningHours",
    "OutcomeMeasure",
    "Patient",
    "PatientLink",
    "PatientStatus",
    "RateCounter",
    "Room",
    "Route",
    "SafetyFlag",
    "Sex",
    "User",
    "Weekday",
]
