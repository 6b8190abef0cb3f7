from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import PlainTextAdmin
from scheduling.models import CalendarFeed, ClinicianHours, Protocol, ProtocolVersion, TimeOff


@admin.register(Protocol)
class ProtocolAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["name", "route", "session_count", "minimum_hours_between", "active"]
    list_filter = ["route", "active"]
    readonly_fields = ["versions_in_use"]

    @admin.display(description="Versions")
    def versions_in_use(self, protocol):
        versions = protocol.versions.all()
        if not versions:
            return "None yet: a version is saved when the first plan uses this protocol."
        return "; ".join(f"{v.number}: {v.summary}" for v in versions)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Read-only: plans point at these, so they never change."""

    list_display = ["name", "number", "session_count", "minimum_hours_between", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClinicianHours)
class ClinicianHoursAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["clinician", "weekday", "starts_at", "ends_at"]
    list_filter = ["clinician", "weekday"]


@admin.register(TimeOff)
class TimeOffAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    list_display = ["clinician", "starts_on", "ends_on", "reason"]
    list_filter = ["clinician"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Delete a feed to revoke its address; the clinician gets a new one on the week page."""

    list_display = ["clinician", "created_at"]
    fields = ["clinician", "created_at"]
    readonly_fields = ["clinician", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
