from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic.reference_data import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self)
