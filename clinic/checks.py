"""System checks of the clinic core."""

from django.conf import settings
from django.core.checks import Info, Tags, Warning, register


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


@register(Tags.security, deploy=True)
def two_factor_is_required(app_configs, **kwargs):
    if getattr(settings, "STAFF_TWO_FACTOR", "required") == "optional":
        return [
            Info(
                "STAFF_TWO_FACTOR is optional: staff who have not set up two-factor login "
                "log in with their password alone.",
                hint="Keep it only where another factor (single sign-on, a VPN that asks "
                "for one) stands in front of the app.",
                id="clinic.I001",
            )
        ]
    return []
