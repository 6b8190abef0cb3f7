"""Protocols every installation starts with, and what each role may do in scheduling.

A data migration creates them; a post_migrate handler restores them after a
flush (transactional tests) through the same function.
"""

from clinic.roles import Role, grant

# (name, route, sessions, minimum hours between starts, phases), see docs/CLINICAL.md.
PROTOCOLS = [
    ("IV induction", "iv", 6, 40, [{"weeks": 2, "per_week": 3}]),
    ("IM series", "im", 6, 40, [{"weeks": 3, "per_week": 2}]),
    ("SC series", "sc", 6, 40, [{"weeks": 3, "per_week": 2}]),
    ("Oral series", "oral", 6, 72, [{"weeks": 6, "per_week": 1}]),
    (
        "Esketamine induction and early maintenance",
        "intranasal",
        12,
        48,
        [{"weeks": 4, "per_week": 2}, {"weeks": 4, "per_week": 1}],
    ),
]


def _crud(model, actions=("view", "add", "change", "delete")):
    return [f"scheduling.{action}_{model}" for action in actions]


SCHEDULING_PERMISSIONS = {
    Role.FRONT_DESK: [
        "scheduling.view_protocol",
        "scheduling.view_treatmentplan",
        "scheduling.close_treatmentplan",
        *_crud("appointment", ("view", "add", "change")),
        *_crud("schedulingpreference", ("view", "add", "change")),
        *_crud("remsenrollment", ("view", "add")),
    ],
    Role.NURSE: [
        "scheduling.view_treatmentplan",
        "scheduling.close_treatmentplan",
        *_crud("sessionrecord", ("view", "add", "change")),
        "scheduling.add_observation",
        "scheduling.add_amendment",
        *_crud("appointment", ("view", "change")),
        "scheduling.view_remsenrollment",
    ],
    Role.PROVIDER: [
        "scheduling.view_protocol",
        *_crud("treatmentplan", ("view", "add", "change")),
        "scheduling.close_treatmentplan",
        *_crud("appointment", ("view", "add", "change")),
        *_crud("schedulingpreference", ("view", "add", "change")),
        *_crud("remsenrollment", ("view", "add", "change")),
        "scheduling.view_sessionrecord",
        "scheduling.decide_dosing_hold",
        "scheduling.add_amendment",
    ],
    Role.CLINIC_ADMIN: [
        *_crud("protocol", ("view", "add", "change")),
        "scheduling.view_protocolversion",
        *_crud("clinicianhours"),
        *_crud("timeoff"),
        *_crud("calendarfeed", ("view", "delete")),
        "scheduling.view_appointment",
        "scheduling.view_treatmentplan",
        "scheduling.view_sessionrecord",
    ],
}


def ensure_reference_data(apps):
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
    grant(apps, SCHEDULING_PERMISSIONS)


def ensure_after_migrate(sender, apps=None, **kwargs):
    # `migrate` passes the migrated state's registry (without these models after
    # `migrate scheduling zero`); `flush` passes none.
    if apps is None:
        from django.apps import apps
    try:
        apps.get_model("scheduling", "Protocol")
    except LookupError:
        return
    ensure_reference_data(apps)
