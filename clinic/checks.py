"""System checks of the clinic core."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def bench_baseline_is_off(app_configs, **kwargs):
    if getattr(settings, "BENCH_BASELINE", False):
        return [
            Warning(
                "BENCH_BASELINE is on: the benchmark's bare page is routed. It is for "
                "`make bench` on a throwaway database only.",
                hint="Unset BENCH_BASELINE in production.",
                id="clinic.W001",
            )
        ]
    return []
