"""A bare page for `make bench` to measure real pages against: one primary-key query.

It goes through the same middleware, session and login as every staff page, so a
page's latency divided by this one's is what the page itself costs. Routed only
when BENCH_BASELINE=1 (clinic/urls.py); the deployment check warns when it is on.
"""

from django.http import HttpResponse

from clinic.models import Clinic


def baseline(request):
    clinic = Clinic.objects.get(pk=1)
    return HttpResponse(f"<!doctype html><title>Baseline</title><p>{clinic.pk}</p>")
