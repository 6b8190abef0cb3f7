"""Who may open the clinic settings pages: clinic admins (the roles' permissions)."""

from tests.access import Rule, only
from tests.factories import RoomFactory, UserFactory


def room_pk():
    return {"pk": RoomFactory().pk}


def closure_pk():
    import datetime

    from clinic.models import Closure

    day = datetime.date(2030, 1, 2)
    return {"pk": Closure.objects.create(starts_on=day, ends_on=day, reason="Test").pk}


def staff_pk():
    return {"pk": UserFactory(role="Nurse").pk}


ADMIN = only("clinic_admin")

ACCESS = {
    "clinic:settings": Rule(roles=ADMIN),
    "clinic:settings_rooms": Rule(roles=ADMIN),
    "clinic:settings_room_new": Rule(roles=ADMIN),
    "clinic:settings_room_edit": Rule(roles=ADMIN, kwargs=room_pk),
    "clinic:settings_hours": Rule(roles=ADMIN),
    "clinic:settings_hours_edit": Rule(roles=ADMIN, kwargs=lambda: {"weekday": 0}),
    "clinic:settings_closures": Rule(roles=ADMIN),
    "clinic:settings_closure_delete": Rule(
        roles=only("clinic_admin", status=405), kwargs=closure_pk
    ),
    "clinic:settings_staff": Rule(roles=ADMIN),
    "clinic:settings_staff_new": Rule(roles=ADMIN),
    "clinic:settings_staff_edit": Rule(roles=ADMIN, kwargs=staff_pk),
    "clinic:settings_staff_reset_two_factor": Rule(
        roles=only("clinic_admin", status=405), kwargs=staff_pk
    ),
}
