"""Urgent safety flags: raising one, the home page panel, and their acknowledgement."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from clinic.models import SafetyFlag
from clinic.panels import Panel


def self_harm_flag_raise(*, patient, source, reason):
    """Raise the urgent flag for a PHQ-9 item 9 above 0, unless one from `source` is open.

    Shared by intake and follow-up questionnaires so both raise the same flag.
    """
    already = SafetyFlag.objects.open().filter(patient=patient, source=source)
    if already.exists():
        return None
    return SafetyFlag.objects.create(patient=patient, reason=reason, source=source)


class AcknowledgeFlagForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: called the patient, safety plan reviewed.",
        error_messages={"required": "Write what was done, for example who called the patient."},
    )


def safety_flags_panel(request):
    if not request.user.has_perm("clinic.view_safetyflag"):
        return None
    flags = list(SafetyFlag.objects.open().select_related("patient"))
    if not flags:
        return None
    return Panel(
        title=f"Urgent safety flags ({len(flags)})",
        template_name="clinic/safety_flags_panel.html",
        context={
            "flags": flags,
            "can_acknowledge": request.user.has_perm("clinic.acknowledge_safetyflag"),
            "form": AcknowledgeFlagForm(),
        },
        order=0,
    )


@permission_required("clinic.acknowledge_safetyflag", raise_exception=True)
@require_POST
def safety_flag_acknowledge(request, pk):
    flag = get_object_or_404(SafetyFlag.objects.select_related("patient"), pk=pk)
    form = AcknowledgeFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what was done before acknowledging the flag.")
        return redirect("home")
    try:
        flag.acknowledge(by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The flag for {flag.patient.full_name} is acknowledged.")
    return redirect("home")
