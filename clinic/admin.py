from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.timezone import localtime
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from clinic.access_log import log_access
from clinic.closing import booked_outside, mark_to_rebook, tell_to_rebook
from clinic.forms import ClinicTimeForm, refuse_invisible_characters
from clinic.models import AccessKind, Clinic, Closure, OpeningHours, Patient, Room, Route, User
from clinic.two_factor import app_device_for, two_factor_reset

# Devices hold the secrets behind staff's codes: they are reset from the staff member's
# page (an audited action), never read or edited here.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


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
        (
            "Two-factor login",
            {
                "fields": ["two_factor_status", "two_factor_reset_at"],
                "description": "A staff member who lost their phone and their recovery codes: "
                "select them in the list of staff and choose “Reset two-factor login”. They set "
                "it up again at their next login.",
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
    readonly_fields = ["last_login", "date_joined", "two_factor_status", "two_factor_reset_at"]
    filter_horizontal = ["groups"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_list(self, user):
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description="Status")
    def two_factor_status(self, user):
        device = app_device_for(user)
        if device is None:
            return "Not set up: they will set it up at their next login."
        return f"Set up on {localtime(device.created_at):%b %-d, %Y}."

    @admin.action(description="Reset two-factor login", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        if not request.user.is_superuser:
            # Like superuser status itself, a superuser's login is a superuser's to reset.
            queryset = queryset.filter(is_superuser=False)
        users = list(queryset)
        for user in users:
            two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            f"Two-factor login reset for {len(users)} staff member(s): each sets it up "
            "again at their next login.",
            messages.SUCCESS,
        )

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
        "vitals_every_during",
        "vitals_every_after",
        "active",
    ]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Room)
class RoomAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["name", "active", "route_list", "turnover_minutes"]
    list_filter = ["active", "routes"]
    filter_horizontal = ["routes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("routes")

    @admin.display(description="Suited for")
    def route_list(self, room):
        return ", ".join(route.name for route in room.routes.all()) or "—"


class ClinicTimeAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    form = ClinicTimeForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tell_to_rebook(request, mark_to_rebook(form.booked))


@admin.register(OpeningHours)
class OpeningHoursAdmin(ClinicTimeAdmin):
    list_display = ["weekday", "opens_at", "closes_at"]

    def delete_model(self, request, obj):
        self.delete_queryset(request, OpeningHours.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # A weekday without hours is closed: what is booked on it needs a new time (the
        # list's "delete selected" comes here too).
        booked = [
            booking
            for hours in queryset
            for booking in booked_outside(OpeningHours(weekday=hours.weekday))
        ]
        super().delete_queryset(request, queryset)
        mark_to_rebook(booked)


@admin.register(Closure)
class ClosureAdmin(ClinicTimeAdmin):
    list_display = ["starts_on", "ends_on", "reason"]
    date_hierarchy = "starts_on"


@admin.register(Patient)
class PatientAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["mrn", "legal_last_name", "legal_first_name", "date_of_birth", "status"]
    # No search box here: admin searches put names in the URL. Staff search
    # patients on the patient list, which keeps the query out of URLs.
    list_filter = ["status"]
    readonly_fields = ["mrn", "created_at", "updated_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The whole record, like the patient page: its opening goes in the access log.
        patient = Patient.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if (
            patient
            and request.method == "GET"
            and self.has_view_or_change_permission(request, patient)
        ):
            log_access(request, AccessKind.PATIENT_SETTINGS, patient=patient)
        return super().change_view(request, object_id, form_url, extra_context)
