from clinic.models.configuration import Clinic, Closure, OpeningHours, Room, Route, Weekday
from clinic.models.patients import Patient, PatientStatus, Sex
from clinic.models.users import User

__all__ = [
    "Clinic",
    "Closure",
    "OpeningHours",
    "Patient",
    "PatientStatus",
    "Room",
    "Route",
    "Sex",
    "User",
    "Weekday",
]
