from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from clinic.forms import refuse_invisible_characters
from clinic.models import Clinic, Closure, OpeningHours, Patient, Room, Route, User


class PlainTextAdmin:
    """A ModelAdmin mixin: the settings pages' text boxes follow the same plain-text rule."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            refuse_invisible_characters({db_field.name: formfield})
        return formfield


@admin.register(User)
class UserAdmin(PlainTextAdmin, DjangoUserAdmin, SimpleHistoryAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_active", "role_list"]
    list_filter = ["is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        (
            "Roles and access",
            {
                "fields": ["is_active", "groups", "is_staff", "is_superuser"],
                "description": "Give each person a role (group). Only clinic admins need "
                "'staff status', which opens these settings pages.",
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "groups", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_list(self, user):
        return ", ".join(group.name for group in user.groups.all())

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser can hand out superuser or settings access.
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "is_staff", "is_superuser"]

    def has_delete_permission(self, request, obj=None):
        # The change history and the access log name staff members and only ever grow, so an
        # account is ended by unticking "Active", never deleted.
        return False


@admin.register(Clinic)
class ClinicAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "minimum_patient_age"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Route)
class RouteAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "preparation_minutes",
        "administration_minutes",
        "monitoring_minutes",
        "active",
    ]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Room)
class RoomAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["name", "active", "route_list"]
    list_filter = ["active", "routes"]
    filter_horizontal = ["routes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("routes")

    @admin.display(description="Suited for")
    def route_list(self, room):
        return ", ".join(route.name for route in room.routes.all()) or "—"


@admin.register(OpeningHours)
class OpeningHoursAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["weekday", "opens_at", "closes_at"]


@admin.register(Closure)
class ClosureAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["starts_on", "ends_on", "reason"]
    date_hierarchy = "starts_on"


@admin.register(Patient)
class PatientAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["mrn", "legal_last_name", "legal_first_name", "date_of_birth", "status"]
    # No search box here: admin searches put names in the URL. Staff search
    # patients on the patient list, which keeps the query out of URLs.
    list_filter = ["status"]
    readonly_fields = ["mrn", "created_at", "updated_at"]
