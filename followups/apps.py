from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-up tracking"

    def ready(self):
        from clinic.counts import recount_on_change
        from clinic.scale import register_scale_seeder
        from followups import demo, panels  # noqa: F401 - they register themselves
        from followups.models import FollowUp
        from followups.reference_data import ensure_after_migrate
        from followups.scale import seed_scale
        from followups.services import follow_ups_after_signing
        from scheduling.hooks import register_session_signed

        register_session_signed(follow_ups_after_signing)
        register_scale_seeder(seed_scale)
        recount_on_change(FollowUp)
        post_migrate.connect(ensure_after_migrate, sender=self)
