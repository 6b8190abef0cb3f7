from django.apps import AppConfig


class ControlledConfig(AppConfig):
    name = "controlled"
    verbose_name = "Controlled substances"

    def ready(self):
        from clinic.append_only import register_append_only
        from controlled import demo, panels  # noqa: F401 - they register themselves
        from controlled.administrations import dose_defaults, ensure_drawn_before_signing
        from controlled.models import (
            Count,
            CountLine,
            Disposal,
            LedgerEntry,
            LossNotice,
            LossReport,
            Receipt,
            Resolution,
        )
        from scheduling.hooks import register_dose_defaults, register_session_signed

        register_append_only(
            LedgerEntry, Receipt, Disposal, LossReport, LossNotice, Count, CountLine, Resolution
        )
        register_session_signed(ensure_drawn_before_signing)
        register_dose_defaults(dose_defaults)
