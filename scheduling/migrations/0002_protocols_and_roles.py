"""The protocols every installation starts with, and scheduling's role permissions.

Frozen here as they were when this migration was written: later changes to the
app's reference data reach existing databases through their own migrations.
"""

from django.db import migrations

from clinic.roles import grant

# (name, route, sessions, minimum hours between starts, phases)
PROTOCOLS = [
    ("IV induction", "iv", 6, 40, [{"per_week": 3, "weeks": 2}]),
    ("IM series", "im", 6, 40, [{"per_week": 2, "weeks": 3}]),
    ("SC series", "sc", 6, 40, [{"per_week": 2, "weeks": 3}]),
    ("Oral series", "oral", 6, 72, [{"per_week": 1, "weeks": 6}]),
    (
        "Esketamine induction and early maintenance",
        "intranasal",
        12,
        48,
        [{"per_week": 2, "weeks": 4}, {"per_week": 1, "weeks": 4}],
    ),
]

ROLE_PERMISSIONS = {
    "Front desk": [
        "scheduling.view_protocol",
        "scheduling.view_treatmentplan",
        "scheduling.view_appointment",
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "scheduling.view_schedulingpreference",
        "scheduling.add_schedulingpreference",
        "scheduling.change_schedulingpreference",
        "scheduling.view_remsenrollment",
        "scheduling.add_remsenrollment",
    ],
    "Nurse": [
        "scheduling.view_treatmentplan",
        "scheduling.view_sessionrecord",
        "scheduling.add_sessionrecord",
        "scheduling.change_sessionrecord",
        "scheduling.add_observation",
        "scheduling.add_amendment",
        "scheduling.view_appointment",
        "scheduling.change_appointment",
        "scheduling.view_remsenrollment",
    ],
    "Provider": [
        "scheduling.view_protocol",
        "scheduling.view_treatmentplan",
        "scheduling.add_treatmentplan",
        "scheduling.change_treatmentplan",
        "scheduling.view_appointment",
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "scheduling.view_schedulingpreference",
        "scheduling.add_schedulingpreference",
        "scheduling.change_schedulingpreference",
        "scheduling.view_remsenrollment",
        "scheduling.add_remsenrollment",
        "scheduling.change_remsenrollment",
        "scheduling.view_sessionrecord",
        "scheduling.decide_dosing_hold",
        "scheduling.add_amendment",
    ],
    "Clinic admin": [
        "scheduling.view_protocol",
        "scheduling.add_protocol",
        "scheduling.change_protocol",
        "scheduling.view_protocolversion",
        "scheduling.view_clinicianhours",
        "scheduling.add_clinicianhours",
        "scheduling.change_clinicianhours",
        "scheduling.delete_clinicianhours",
        "scheduling.view_timeoff",
        "scheduling.add_timeoff",
        "scheduling.change_timeoff",
        "scheduling.delete_timeoff",
        "scheduling.view_calendarfeed",
        "scheduling.delete_calendarfeed",
        "scheduling.view_appointment",
        "scheduling.view_treatmentplan",
        "scheduling.view_sessionrecord",
    ],
}


def forwards(apps, schema_editor):
    Protocol = apps.get_model("scheduling", "Protocol")
    Route = apps.get_model("clinic", "Route")
    for name, route_code, sessions, hours, phases in PROTOCOLS:
        route = Route.objects.filter(code=route_code).first()
        if route is None:
            continue
        Protocol.objects.get_or_create(
            name=name,
            defaults={
                "route": route,
                "session_count": sessions,
                "minimum_hours_between": hours,
                "phases": phases,
            },
        )
    grant(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial"), ("clinic", "0002_reference_data_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
