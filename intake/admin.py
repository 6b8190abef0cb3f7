from django.contrib import admin
from django.db.models import Max
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import PlainTextAdmin
from intake.models import ConsentDocument, ConsentSignature


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    """Editing the consent means adding a new version; signed versions stay as they were."""

    list_display = ["version", "title", "published_at"]
    readonly_fields = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and ConsentSignature.objects.filter(document=obj).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            latest = ConsentDocument.objects.aggregate(latest=Max("version"))["latest"] or 0
            obj.version = latest + 1
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        current = ConsentDocument.objects.current()
        if current is None:
            return {}
        return {"title": current.title, "body": current.body}
