"""The nurse's session record: one page, and one action per step that calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinic.access_log import log_access
from clinic.models import AccessKind
from scheduling import records
from scheduling.board import vitals_due
from scheduling.hooks import dose_defaults, record_panels
from scheduling.models import Appointment, Observation, SessionRecord
from scheduling.record_forms import (
    AmendmentForm,
    DischargeForm,
    DoseForm,
    HoldDecisionForm,
    ObservationForm,
    PreDoseForm,
    now_time,
    on_session_day,
)

VIEW = "scheduling.view_sessionrecord"
CHANGE = [VIEW, "scheduling.change_sessionrecord"]
REMS_PER_PAGE = 25


def _record_for(pk):
    appointment = get_object_or_404(
        # Only a treatment session has a dosing record; a follow-up is closed with "Mark done".
        Appointment.objects.sessions().select_related("patient", "route", "room", "clinician"),
        pk=pk,
    )
    # The observations and amendments are read for the page only (_page): a step that
    # saves and redirects does not read every reading of the session.
    record = (
        SessionRecord.objects.filter(appointment=appointment)
        .select_related("hold_decided_by", "signed_by")
        .first()
    )
    if record is None:
        return SessionRecord(appointment=appointment)
    record.appointment = appointment  # read above with its patient, route, room, clinician
    return record


def _record_to_write(request, pk):
    """The record a step writes to. A new one is saved by the step, only if the step succeeds."""
    record = _record_for(pk)
    if record.pk is None and not request.user.has_perm("scheduling.add_sessionrecord"):
        raise PermissionDenied
    return record


PAGE_PREFETCH = (
    Prefetch("observations", queryset=Observation.objects.select_related("recorded_by")),
    "amendments__author",
)


def _page(request, record, **failed):
    """The record with a form per step; `failed` is a step's form shown with its errors."""
    if record.pk:
        prefetch_related_objects([record], *PAGE_PREFETCH)
    plan = record.appointment.plan
    started = record.dose_started_at
    forms = {
        "pre_dose": PreDoseForm(instance=record),
        "hold": HoldDecisionForm(),
        "dose": DoseForm(
            initial={
                "amount": getattr(plan, "dose", None),
                "unit": getattr(plan, "dose_unit", "mg"),
                "started": timezone.localtime(started).time() if started else now_time(),
                "ended": now_time(),
                **dose_defaults(record),
            }
        ),
        "observe": ObservationForm(initial={"taken_at": now_time()}),
        "discharge": DischargeForm(initial={"at": now_time()}),
        "amend": AmendmentForm(),
        **failed,
    }
    observations = list(record.observations.all()) if record.pk else []
    now = timezone.now()
    last_at = observations[-1].at if observations else None
    return render(
        request,
        "scheduling/session_record.html",
        {
            "record": record,
            "appointment": record.appointment,
            "forms": forms,
            "observations": observations,
            "last": observations[-1] if observations else None,
            "vitals": vitals_due(record, last_observation_at=last_at, now=now),
            "now": now,
            "panels": record_panels(request, record),
        },
    )


def _saved(request, pk, service, **arguments):
    """Call the step's service; what it refuses, and its success, become a message."""
    try:
        service(**arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except records.RecordStartedTwice as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect("scheduling:session_record", pk)


@permission_required(VIEW, raise_exception=True)
@require_safe
def session_record(request, pk):
    record = _record_for(pk)
    log_access(
        request,
        AccessKind.SESSION_RECORD,
        patient=record.appointment.patient,
        subject=f"Session record of appointment {pk}",
    )
    return _page(request, record)


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_pre_dose(request, pk):
    record = _record_to_write(request, pk)
    try:
        # Said before validating: a signed record's page has no checklist to show errors on.
        record.ensure_open()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("scheduling:session_record", pk)
    form = PreDoseForm(request.POST, instance=record)
    if not form.is_valid():
        return _page(request, record, pre_dose=form)
    return _saved(request, pk, records.session_record_pre_dose, record=record, **form.cleaned_data)


@permission_required([VIEW, "scheduling.decide_dosing_hold"], raise_exception=True)
@require_POST
def session_record_hold(request, pk):
    record = _record_to_write(request, pk)
    form = HoldDecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, record, hold=form)
    return _saved(
        request,
        pk,
        records.session_record_hold_decide,
        record=record,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
        by=request.user,
    )


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_dose(request, pk):
    record = _record_to_write(request, pk)
    form = DoseForm(request.POST)
    if not form.is_valid():
        return _page(request, record, dose=form)
    data = form.cleaned_data
    return _saved(
        request,
        pk,
        records.session_record_dose,
        record=record,
        amount=data["amount"],
        unit=data["unit"],
        lot_number=data["lot_number"],
        started_at=on_session_day(record.appointment, data["started"]),
        ended_at=on_session_day(record.appointment, data["ended"]),
    )


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_start_dose(request, pk):
    record = _record_to_write(request, pk)
    return _saved(request, pk, records.session_record_start_dose, record=record)


# Refusals about the time typed: shown on the field, with everything typed kept.
TIME_REFUSALS = {"in_future", "before_check_in"}


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_observe(request, pk):
    record = _record_to_write(request, pk)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        return _page(request, record, observe=form)
    taken_at = form.cleaned_data["taken_at"]
    try:
        records.session_record_observe(
            record=record,
            observation=form.save(commit=False),
            by=request.user,
            at=on_session_day(record.appointment, taken_at) if taken_at else None,
        )
    except ValidationError as error:
        form.add_error("taken_at" if error.code in TIME_REFUSALS else None, error)
        return _page(request, record, observe=form)
    except records.RecordStartedTwice as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect("scheduling:session_record", pk)


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_discharge(request, pk):
    record = _record_to_write(request, pk)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        return _page(request, record, discharge=form)
    data = form.cleaned_data
    return _saved(
        request,
        pk,
        records.session_record_discharge,
        record=record,
        at=on_session_day(record.appointment, data["at"]),
        criteria_met=data["criteria_met"],
        released_to_escort=data["released_to_escort"],
        vitals_acceptable_at_end=data["vitals_acceptable_at_end"],
    )


@permission_required(CHANGE, raise_exception=True)
@require_POST
def session_record_sign(request, pk):
    record = _record_to_write(request, pk)
    return _saved(request, pk, records.session_record_sign, record=record, by=request.user)


@permission_required([VIEW, "scheduling.add_amendment"], raise_exception=True)
@require_POST
def session_record_amend(request, pk):
    record = _record_to_write(request, pk)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        return _page(request, record, amend=form)
    return _saved(
        request,
        pk,
        records.session_record_amend,
        record=record,
        text=form.cleaned_data["text"],
        by=request.user,
    )


@permission_required("scheduling.view_sessionrecord", raise_exception=True)
def rems_form(request, pk):
    record = get_object_or_404(
        SessionRecord.objects.select_related("appointment__patient", "signed_by"),
        appointment_id=pk,
        appointment__route_id="intranasal",
    )
    log_access(
        request,
        AccessKind.SESSION_RECORD,
        patient=record.appointment.patient,
        subject=f"REMS monitoring form of appointment {pk}",
    )
    observations = list(record.observations.all())
    return render(
        request,
        "scheduling/rems_form.html",
        {
            "record": record,
            "patient": record.appointment.patient,
            "at_40": record.observation_nearest(40) if record.dose_started_at else None,
            "last": observations[-1] if observations else None,
            "sedation": any(o.sedated for o in observations),
            "dissociation": any(o.dissociation for o in observations),
        },
    )


@permission_required("scheduling.view_sessionrecord", raise_exception=True)
def rems_due(request):
    records = (
        SessionRecord.objects.rems_due()
        .select_related("appointment__patient")
        .order_by("dose_started_at", "pk")
    )
    page = Paginator(records, REMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "scheduling/rems_due.html", {"page": page})


@permission_required("scheduling.change_sessionrecord", raise_exception=True)
@require_POST
def rems_mark_submitted(request, pk):
    record = get_object_or_404(
        SessionRecord.objects.select_related("appointment"), appointment_id=pk
    )
    try:
        record.mark_rems_submitted()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The REMS monitoring form is marked as submitted.")
    return redirect("scheduling:rems_due")
