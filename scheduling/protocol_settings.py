"""Protocols in the clinic settings: each series' sessions, spacing and phases, edited in
plain fields (phases as rows of weeks and sessions a week). Plans already made keep the
version they were ordered with; the rest of a protocol stays in Django's settings pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from clinic.forms import PlainTextForm, UntaggedForm
from clinic.settings_pages import SettingsPage, register_settings_page
from scheduling.models import Protocol

PHASE_ROWS = 4

register_settings_page(
    SettingsPage(
        "Protocols",
        "scheduling:settings_protocols",
        "scheduling.change_protocol",
        "Each series: how many sessions, how often, and how far apart.",
        50,
    )
)


class ProtocolForm(UntaggedForm, PlainTextForm, forms.ModelForm):
    class Meta:
        model = Protocol
        fields = ["name", "session_count", "minimum_hours_between", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phases = self.instance.phases or []
        for number in range(1, PHASE_ROWS + 1):
            phase = phases[number - 1] if number <= len(phases) else {}
            self.fields[f"weeks_{number}"] = forms.IntegerField(
                label=f"Phase {number}: weeks",
                required=False,
                min_value=1,
                max_value=14,
                initial=phase.get("weeks"),
            )
            self.fields[f"per_week_{number}"] = forms.IntegerField(
                label=f"Phase {number}: sessions a week",
                required=False,
                min_value=1,
                max_value=14,
                initial=phase.get("per_week"),
            )

    def clean(self):
        data = super().clean()
        phases = []
        for number in range(1, PHASE_ROWS + 1):
            weeks, per_week = data.get(f"weeks_{number}"), data.get(f"per_week_{number}")
            if weeks is None and per_week is None:
                continue
            if weeks is None or per_week is None:
                self.add_error(f"weeks_{number}", "Give both the weeks and the sessions a week.")
                continue
            phases.append({"weeks": weeks, "per_week": per_week})
        if not phases and not self.errors:
            self.add_error("weeks_1", "Give at least one phase.")
        self.instance.phases = phases
        return data


@permission_required("scheduling.change_protocol", raise_exception=True)
@require_safe
def settings_protocols(request):
    protocols = Protocol.objects.select_related("route").order_by("-active", "route__name", "name")
    return render(request, "scheduling/settings/protocols.html", {"protocols": protocols})


@permission_required("scheduling.change_protocol", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_protocol_edit(request, pk):
    protocol = get_object_or_404(Protocol.objects.select_related("route"), pk=pk)
    form = ProtocolForm(request.POST or None, instance=protocol)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            f"{protocol} saved. Plans already made keep the version they were ordered with.",
        )
        return redirect("scheduling:settings_protocols")
    return render(
        request,
        "scheduling/settings/protocol_form.html",
        {"form": form, "protocol": protocol, "phase_rows": range(1, PHASE_ROWS + 1)},
    )
