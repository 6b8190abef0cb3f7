"""Every page, every role: driven from the URL conf so a new page cannot be forgotten.

Each named URL must have a rule in tests/<app>/access.py (see tests/access.py).
"""

import importlib

import pytest
from django.urls import reverse

from tests.access import LOGIN, ROLES
from tests.two_factor import app_device, log_in_verified
from tests.urls import named_url_patterns


def collect_rules():
    rules = {}
    for app in ["clinic", "intake", "scheduling", "followups", "controlled"]:
        try:
            module = importlib.import_module(f"tests.{app}.access")
        except ModuleNotFoundError:
            continue
        rules.update(module.ACCESS)
    return rules


ACCESS = collect_rules()


def app_url_names():
    return sorted(name for name, _ in named_url_patterns() if not name.startswith("admin:"))


def test_every_page_has_an_access_rule():
    missing = set(app_url_names()) - set(ACCESS)
    assert not missing, f"Add an access rule for: {sorted(missing)}"


def test_no_rule_for_a_page_that_does_not_exist():
    assert set(ACCESS) <= set(app_url_names())


def assert_kept_by_no_cache(response):
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.headers.get("Cache-Control")


def url_for(name):
    rule = ACCESS[name]
    return reverse(name, kwargs=rule.kwargs() if rule.kwargs else None)


@pytest.mark.parametrize("name", app_url_names())
def test_anonymous_access(client, db, name):
    url = url_for(name)

    response = client.get(url)

    expected = ACCESS[name].anonymous
    assert_kept_by_no_cache(response)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", app_url_names())
def test_role_access(client, personas, name, role):
    log_in_verified(client, personas[role])

    response = client.get(url_for(name))

    assert response.status_code == ACCESS[name].roles[role]
    assert_kept_by_no_cache(response)


# The pages a staff member who has given only their password may open.
TWO_FACTOR_STEPS = {"two_factor_verify", "two_factor_recovery", "two_factor_enrol", "logout"}


@pytest.mark.parametrize(
    "name", [name for name in app_url_names() if ACCESS[name].anonymous == LOGIN]
)
def test_a_password_alone_opens_no_page_but_the_code_step(client, personas, name):
    user = personas["clinic_admin"]
    app_device(user)
    client.force_login(user)  # the password step, without the code

    response = client.get(url_for(name))

    if name in TWO_FACTOR_STEPS:
        assert response.status_code in (200, 302, 405)
        assert not (response.status_code == 302 and response.url == reverse("home"))
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("two_factor_verify") + "?next=")


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
    log_in_verified(client, personas[role])

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
    log_in_verified(client, clinic_admin)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_kept_by_no_cache(response)
