from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ControlledConfig(AppConfig):
    name = "controlled"
    verbose_name = "Controlled substances"

    def ready(self):
        from clinic.append_only import register_append_only
        from clinic.counts import recount_on_change
        from controlled import demo, panels  # noqa: F401 - they register themselves
        from controlled.administrations import dose_defaults, ensure_drawn_before_signing
        from controlled.guards import protect_containers
        from controlled.models import (
            Container,
            Count,
            CountLine,
            Disposal,
            LedgerEntry,
            LossNotice,
            LossReport,
            Receipt,
            Resolution,
        )
        from controlled.reference_data import ensure_after_migrate
        from scheduling.hooks import register_dose_defaults, register_session_signed

        register_append_only(
            LedgerEntry, Receipt, Disposal, LossReport, LossNotice, Count, CountLine, Resolution
        )
        recount_on_change(Container, Count, CountLine, Resolution, LossReport, LossNotice)
        register_session_signed(ensure_drawn_before_signing)
        register_dose_defaults(dose_defaults)
        post_migrate.connect(ensure_after_migrate, sender=self)
        post_migrate.connect(protect_containers, sender=self)
