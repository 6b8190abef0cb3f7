"""What clinic admins keep in Clinic settings: the products, the storage locations and the
suppliers. Nothing is deleted (a ledger entry points at each); retire one with Active."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import PlainTextAdmin
from controlled.models import Product, StorageLocation, Supplier


class KeptAdmin(PlainTextAdmin, SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(KeptAdmin):
    list_display = ["name", "drug", "form", "ndc", "mg_per_ml", "container_ml", "active"]
    list_filter = ["drug", "form", "active"]
    search_fields = ["name", "ndc"]

    def get_readonly_fields(self, request, obj=None):
        # Containers were received at this strength and size: a new one is a new product.
        if obj is not None and obj.containers.exists():
            return ["drug", "form", "ndc", "mg_per_ml", "container_ml"]
        return []


@admin.register(StorageLocation)
class StorageLocationAdmin(KeptAdmin):
    list_display = ["name", "description", "active"]


@admin.register(Supplier)
class SupplierAdmin(KeptAdmin):
    list_display = ["name", "dea_number", "active"]
    search_fields = ["name", "dea_number"]
