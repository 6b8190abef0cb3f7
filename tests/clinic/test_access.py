"""Every page, every role: driven from the URL conf so a new page cannot be forgotten.

Each named URL must have a rule below. A rule gives the status code a GET
answers with for an anonymous visitor ("login" means a redirect to the login
page) and for each role.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from tests.urls import named_url_patterns

LOGIN = "login"
ROLES = ["front_desk", "nurse", "provider", "clinic_admin"]


@dataclass(frozen=True)
class Rule:
    anonymous: object = LOGIN
    roles: dict = field(default_factory=lambda: dict.fromkeys(ROLES, 200))
    kwargs: object = None  # a function of the fixtures dict, returning URL kwargs


def everyone(status):
    return dict.fromkeys(ROLES, status)


def only(*allowed, status=200):
    return {role: (status if role in allowed else 403) for role in ROLES}


def patient_pk(objects):
    return {"pk": objects["patient"].pk}


ACCESS = {
    "home": Rule(),
    "login": Rule(anonymous=200, roles=everyone(302)),
    "logout": Rule(roles=everyone(405)),
    "password_change": Rule(),
    "password_change_done": Rule(),
    "password_reset": Rule(anonymous=200),
    "password_reset_done": Rule(anonymous=200),
    "password_reset_confirm": Rule(
        anonymous=200, kwargs=lambda objects: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Rule(anonymous=200),
    "clinic:patient_list": Rule(),
    "clinic:patient_create": Rule(roles=only("front_desk", "clinic_admin")),
    "clinic:patient_detail": Rule(kwargs=patient_pk),
    "clinic:patient_update": Rule(roles=only("front_desk", "clinic_admin"), kwargs=patient_pk),
    "clinic:patient_history": Rule(roles=only("clinic_admin"), kwargs=patient_pk),
}


def app_url_names():
    return sorted(name for name, _ in named_url_patterns() if not name.startswith("admin:"))


def test_every_page_has_an_access_rule():
    missing = set(app_url_names()) - set(ACCESS)
    assert not missing, f"Add an access rule for: {sorted(missing)}"


def test_no_rule_for_a_page_that_does_not_exist():
    assert set(ACCESS) <= set(app_url_names())


@pytest.fixture
def objects(patient):
    return {"patient": patient}


def url_for(name, objects):
    rule = ACCESS[name]
    return reverse(name, kwargs=rule.kwargs(objects) if rule.kwargs else None)


@pytest.mark.parametrize("name", app_url_names())
def test_anonymous_access(client, objects, name):
    url = url_for(name, objects)

    response = client.get(url)

    expected = ACCESS[name].anonymous
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", app_url_names())
def test_role_access(client, personas, objects, name, role):
    client.force_login(personas[role])

    response = client.get(url_for(name, objects))

    assert response.status_code == ACCESS[name].roles[role]


def admin_changelist_names():
    from django.contrib import admin

    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    )


@pytest.mark.parametrize("name", ["admin:index", *admin_changelist_names()])
def test_settings_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.parametrize("role", ["front_desk", "nurse", "provider"])
def test_only_clinic_admins_open_the_settings_pages(client, personas, role):
    client.force_login(personas[role])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


CLINIC_ADMIN_CHANGELISTS = [
    "admin:clinic_user_changelist",
    "admin:clinic_room_changelist",
    "admin:clinic_route_changelist",
    "admin:clinic_openinghours_changelist",
    "admin:clinic_closure_changelist",
    "admin:clinic_clinic_changelist",
]


@pytest.mark.parametrize("name", CLINIC_ADMIN_CHANGELISTS)
def test_clinic_admin_manages_configuration_and_staff(client, clinic_admin, name):
    client.force_login(clinic_admin)

    assert client.get(reverse(name)).status_code == 200
