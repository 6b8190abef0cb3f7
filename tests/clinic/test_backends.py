"""Permissions come from the user's own grants and their roles, read with the role names
in one query, and kept in the server's memory until the account's access changes."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import User
from clinic.roles import Role

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permissions read yet


def test_a_role_and_a_grant_of_its_own_are_both_counted(nurse, django_assert_num_queries):
    nurse.user_permissions.add(Permission.objects.get(codename="view_clinic_report"))
    user = fresh(nurse)

    with django_assert_num_queries(1):
        assert user.has_perm("scheduling.view_sessionrecord")  # from the Nurse role
        assert user.has_perm("followups.view_clinic_report")  # granted to this nurse alone
        assert not user.has_perm("clinic.delete_patient")
        assert user.role_names == ["Nurse"]


def test_once_read_they_are_kept_for_the_account_s_next_requests(nurse, client_for):
    client = client_for(nurse)
    client.get(reverse("home"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200

    read = [q["sql"] for q in queries if "auth_permission" in q["sql"] or "auth_group" in q["sql"]]
    assert read == []
    assert fresh(nurse).role_names == ["Nurse"]


READ_REPORT = "followups.view_clinic_report"


def report_permission():
    return Permission.objects.get(codename="view_clinic_report")


def role(name):
    return Group.objects.get(name=name)


def warm(user):
    """Read (and keep) the account's access as a request would."""
    user = fresh(user)
    user.get_all_permissions()
    return user


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda user: user.user_permissions.add(report_permission()), True),
        (lambda user: report_permission().user_set.add(user), True),
        (lambda user: role(Role.NURSE).permissions.add(report_permission()), True),
        (lambda user: report_permission().group_set.add(role(Role.NURSE)), True),
        (lambda user: user.groups.add(role(Role.PROVIDER)), True),
        (lambda user: role(Role.PROVIDER).user_set.add(user), True),
    ],
    ids=["own grant", "grant from the permission", "role's permission",
         "role from the permission", "new role", "new role from the role"],
)  # fmt: skip
def test_a_grant_counts_from_the_account_s_next_request(nurse, change, expected):
    assert not warm(nurse).has_perm(READ_REPORT)

    change(fresh(nurse))

    assert fresh(nurse).has_perm(READ_REPORT) is expected


@pytest.mark.parametrize(
    "change",
    [
        lambda user: user.groups.remove(role(Role.NURSE)),
        lambda user: role(Role.NURSE).user_set.remove(user),
        lambda user: role(Role.NURSE).user_set.clear(),
        lambda user: role(Role.NURSE).permissions.clear(),
        lambda user: Permission.objects.get(codename="view_sessionrecord").group_set.clear(),
        lambda user: role(Role.NURSE).delete(),
    ],
    ids=["left the role", "removed from the role", "role emptied", "role's permissions cleared",
         "permission taken from every role", "role deleted"],
)  # fmt: skip
def test_a_withdrawal_counts_from_the_account_s_next_request(nurse, change):
    assert warm(nurse).has_perm("scheduling.view_sessionrecord")

    change(fresh(nurse))

    assert not fresh(nurse).has_perm("scheduling.view_sessionrecord")


def test_the_same_account_object_sees_its_own_change(nurse):
    user = warm(nurse)
    user.groups.add(role(Role.PROVIDER))

    assert Role.PROVIDER in user.role_names


def test_leaving_a_role_takes_its_permissions(nurse):
    nurse.groups.clear()

    assert not fresh(nurse).has_perm("scheduling.view_sessionrecord")


def test_an_inactive_account_has_no_permissions(nurse):
    nurse.is_active = False
    nurse.save()

    assert fresh(nurse).get_all_permissions() == set()


def test_a_superuser_has_every_permission(nurse):
    nurse.is_superuser = True
    nurse.save()

    assert fresh(nurse).has_perm("clinic.delete_patient")


def test_a_renamed_role_is_named_anew_on_the_account_s_next_request(nurse):
    assert warm(nurse).role_names == ["Nurse"]
    nursing = role(Role.NURSE)
    nursing.name = "Nurse (infusions)"
    nursing.save()

    assert fresh(nurse).role_names == ["Nurse (infusions)"]
