"""The session record's controlled-substance steps: what was drawn, and the waste."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from controlled import administrations, ledger
from controlled.forms import DrawForm, RecordWasteForm
from controlled.models import Product
from controlled.panels import drawn_containers, keep_draft
from controlled.reference_data import CUSTODIAN
from scheduling.models import SessionRecord


def _record(pk):
    return get_object_or_404(
        SessionRecord.objects.select_related("appointment__patient", "appointment__route"),
        appointment_id=pk,
    )


def _back(pk):
    return redirect(f"{reverse('scheduling:session_record', args=[pk])}#controlled-heading")


def _typed(request, *names):
    return {name: request.POST.get(name, "")[:300] for name in names}


def _say(request, form):
    """Form errors as one message on the record page (the page is the nurse's whole session)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        prefix = f"{label}: " if label else ""
        messages.error(request, prefix + " ".join(errors))


@permission_required([CUSTODIAN, "scheduling.change_sessionrecord"], raise_exception=True)
@require_POST
def record_draw(request, pk):
    record = _record(pk)
    form = DrawForm(request.POST, drug=Product.drug_for_route(record.appointment.route_id))
    if not form.is_valid():
        _say(request, form)
        keep_draft(request, record, "draw", _typed(request, "container", "mg"))
        return _back(pk)
    try:
        administrations.dose_draw(
            record=record,
            container=form.cleaned_data["container"],
            mg=form.cleaned_data["mg"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        keep_draft(request, record, "draw", _typed(request, "container", "mg"))
    else:
        messages.success(request, "The draw is recorded in the controlled-substance ledger.")
    return _back(pk)


@permission_required([CUSTODIAN, "scheduling.change_sessionrecord"], raise_exception=True)
@require_POST
def record_waste(request, pk):
    record = _record(pk)
    form = RecordWasteForm(request.POST, request=request, containers=drawn_containers(record))
    typed = ("container", "mg", "reason", "witness_email")
    if not form.is_valid():
        _say(request, form)
        keep_draft(request, record, "waste", _typed(request, *typed))
        return _back(pk)
    try:
        ledger.container_waste(
            container=form.cleaned_data["container"],
            mg=form.cleaned_data["mg"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            witness=form.witness,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        keep_draft(request, record, "waste", _typed(request, *typed))
    else:
        messages.success(request, "The waste is recorded, with its witness.")
    return _back(pk)
