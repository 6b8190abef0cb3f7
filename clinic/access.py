"""A staff member's permissions and role names, read in one query and kept in this process.

Every staff page asks for both (the menu offers only what a role may use, and names the
roles), so reading them from the database cost two queries on every request. They are kept
here under the account's `access_token`, which changes whenever its roles or permissions
do (the signals below, whoever makes the change and on whichever server), and the user
row that carries the token is read on every request anyway: a change counts from the
account's next request, on every worker.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, Value

KEPT_ACCOUNTS = 500  # staff accounts a worker remembers; more clears the memory


def new_access_token():
    return secrets.token_hex(6)


@dataclass(frozen=True)
class Access:
    permissions: frozenset
    roles: tuple


_kept = {}


def access_of(user):
    """The user's own and their roles' permissions ("app.codename") and role names."""
    key = (user.pk, user.access_token)
    access = _kept.get(key)
    if access is None:
        access = _read(user)
        if len(_kept) >= KEPT_ACCOUNTS:
            _kept.clear()
        _kept[key] = access
    return access


def _read(user):
    own = Permission.objects.filter(user=user).values_list(
        Value("permission"), "content_type__app_label", "codename"
    )
    through_roles = Permission.objects.filter(group__user=user).values_list(
        Value("permission"), "content_type__app_label", "codename"
    )
    roles = Group.objects.filter(user=user).values_list(Value("role"), "name", Value(""))
    permissions, names = set(), set()
    rows = own.order_by().union(through_roles.order_by(), roles.order_by()).order_by()
    for kind, first, second in rows:
        if kind == "role":
            names.add(first)
        else:
            permissions.add(f"{first}.{second}")
    return Access(frozenset(permissions), tuple(sorted(names)))


# What changes an account's access -------------------------------------------------------


def access_changed(users):
    """Give these accounts (a User queryset) a new token."""
    users.update(access_token=new_access_token())


def _holders(instance):
    """The accounts that hold a role or a permission, directly or through a role."""
    User = get_user_model()  # noqa: N806 - the model, named as everywhere else
    if isinstance(instance, Group):
        return User.objects.filter(groups=instance)
    return User.objects.filter(
        Q(user_permissions=instance) | Q(groups__permissions=instance)
    ).distinct()


def _roles_or_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups / user.user_permissions / group.permissions changed, from either side."""
    User = get_user_model()  # noqa: N806

    if isinstance(instance, User):
        if action in ("post_add", "post_remove", "post_clear"):
            instance.access_token = new_access_token()
            User.objects.filter(pk=instance.pk).update(access_token=instance.access_token)
    elif action == "pre_clear":
        access_changed(_holders(instance))  # who is affected is known only before
    elif action in ("post_add", "post_remove"):
        if sender is Group.permissions.through and not reverse:
            access_changed(_holders(instance))  # a role's permissions
        elif sender is Group.permissions.through:
            access_changed(User.objects.filter(groups__pk__in=pk_set))  # permission.group_set
        else:
            access_changed(User.objects.filter(pk__in=pk_set))  # group.user_set and the like


def _deleted(sender, instance, **kwargs):
    access_changed(_holders(instance))


def _role_saved(sender, instance, created, **kwargs):
    """A role renamed: the menu names its holders' roles."""
    if not created:
        access_changed(_holders(instance))


def connect_signals():
    from django.db.models.signals import m2m_changed, post_save, pre_delete

    User = get_user_model()  # noqa: N806

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_roles_or_permissions_changed, sender=through, weak=False)
    post_save.connect(_role_saved, sender=Group, weak=False)
    pre_delete.connect(_deleted, sender=Group, weak=False)
    pre_delete.connect(_deleted, sender=Permission, weak=False)
