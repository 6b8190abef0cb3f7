from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic import checks  # noqa: F401 - registers the system checks
        from clinic.access import connect_signals
        from clinic.append_only import protect_append_only_tables
        from clinic.counts import recount_on_change
        from clinic.models import Patient, PatientLink
        from clinic.panels import register_home_panel, register_patient_panel
        from clinic.reference_data import ensure_after_migrate
        from clinic.views import access_log_panel, safety_flags_panel

        register_home_panel(safety_flags_panel)
        register_patient_panel(access_log_panel)
        recount_on_change(Patient, PatientLink)
        connect_signals()

        post_migrate.connect(ensure_after_migrate, sender=self)
        post_migrate.connect(protect_append_only_tables, sender=self)
