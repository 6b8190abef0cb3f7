"""Staff permissions read in one query a request instead of two."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    """Django's ModelBackend, reading a user's own and their roles' permissions together.

    Every staff page asks for permissions (the menu offers only what a role may use), so
    the second query Django's backend makes is paid on every request.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).values_list(*fields).order_by()
            roles = Permission.objects.filter(group__user=user_obj).values_list(*fields).order_by()
            rows = own.union(roles).order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
