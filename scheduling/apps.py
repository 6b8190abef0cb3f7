from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        from clinic.closing import register_booked_finder
        from clinic.counts import recount_on_change
        from clinic.scale import register_scale_seeder
        from scheduling import (  # noqa: F401 - they register themselves
            demo,
            panels,
            protocol_settings,
            working_hours,
        )
        from scheduling.models import Appointment, SessionRecord, TreatmentPlan
        from scheduling.rebooking import sessions_outside
        from scheduling.reference_data import ensure_after_migrate
        from scheduling.scale import seed_scale

        register_scale_seeder(seed_scale)
        register_booked_finder(sessions_outside)
        recount_on_change(Appointment, TreatmentPlan, SessionRecord)

        post_migrate.connect(ensure_after_migrate, sender=self)
