from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self):
        from clinic.demo import register_seeder
        from clinic.navigation import NavItem, register_nav_item
        from clinic.panels import register_home_panel, register_patient_panel
        from clinic.scale import register_scale_seeder
        from intake import consent_settings  # noqa: F401 - it registers its settings page
        from intake.demo import seed_intakes
        from intake.panels import home_review_panel, patient_intake_panel
        from intake.reference_data import ensure_after_migrate
        from intake.scale import seed_scale

        register_patient_panel(patient_intake_panel)
        register_home_panel(home_review_panel)
        register_nav_item(NavItem("Intake review", "intake:queue", permission="intake.view_intake"))
        register_seeder(seed_intakes)
        register_scale_seeder(seed_scale)
        post_migrate.connect(ensure_after_migrate, sender=self)
