"""Permissions come from the user's own grants and their roles, read in one query."""

import pytest
from django.contrib.auth.models import Permission

from clinic.models import User

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
