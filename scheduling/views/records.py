"""The nurse's session record: each step posts here and calls one model method."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scheduling.hooks import session_signed
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


def _record_for(pk):
    appointment = get_object_or_404(
        # Only a treatment session has a dosing record; a follow-up is closed with "Mark done".
        Appointment.objects.sessions().select_related("patient", "route", "room", "clinician"),
        pk=pk,
    )
    record = (
        SessionRecord.objects.filter(appointment=appointment)
        .select_related("hold_decided_by", "signed_by")
        .prefetch_related(
            Prefetch("observations", queryset=Observation.objects.select_related("recorded_by")),
            "amendments__author",
        )
        .first()
    )
    return record or SessionRecord(appointment=appointment)


def _apply(request, record, action):
    """Validate the step's form and apply it; return the bound form when it has errors."""
    user = request.user
    if action == "hold":
        if not user.has_perm("scheduling.decide_dosing_hold"):
            raise PermissionDenied
        form = HoldDecisionForm(request.POST)
        if form.is_valid():
            record.decide_hold(
                decision=form.cleaned_data["decision"], by=user, note=form.cleaned_data["note"]
            )
        return form
    if action == "amend":
        if not user.has_perm("scheduling.add_amendment"):
            raise PermissionDenied
        form = AmendmentForm(request.POST)
        if form.is_valid():
            record.amend(text=form.cleaned_data["text"], by=user)
        return form
    if not user.has_perm("scheduling.change_sessionrecord"):
        raise PermissionDenied
    if action == "pre_dose":
        record._ensure_open()
        form = PreDoseForm(request.POST, instance=record)
        if form.is_valid():
            form.save(commit=False).record_pre_dose()
        return form
    if action == "dose":
        form = DoseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            record.record_dose(
                amount=data["amount"],
                unit=data["unit"],
                lot_number=data["lot_number"],
                started_at=on_session_day(record.appointment, data["started"]),
                ended_at=on_session_day(record.appointment, data["ended"]),
            )
        return form
    if action == "observe":
        form = ObservationForm(request.POST)
        if form.is_valid():
            record.add_observation(form.save(commit=False), by=user)
        return form
    if action == "discharge":
        form = DischargeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            record.discharge(
                at=on_session_day(record.appointment, data["at"]),
                criteria_met=data["criteria_met"],
                released_to_escort=data["released_to_escort"],
                vitals_acceptable_at_end=data["vitals_acceptable_at_end"],
            )
        return form
    if action == "sign":
        record.sign(by=user)
        session_signed(record=record)
        return None
    raise PermissionDenied


@permission_required("scheduling.view_sessionrecord", raise_exception=True)
def session_record(request, pk):
    record = _record_for(pk)
    failed = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        # A new record is saved by the step's model method, and only when the step succeeds.
        if record.pk is None and not request.user.has_perm("scheduling.add_sessionrecord"):
            raise PermissionDenied
        try:
            with transaction.atomic():
                form = _apply(request, record, action)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("scheduling:session_record", pk)
        except IntegrityError:
            # Two people started the same new record at the same moment; one was first.
            messages.error(
                request,
                "Someone else started this session record at the same moment, so your "
                "entry was not saved. The page now shows their entry; please add yours again.",
            )
            return redirect("scheduling:session_record", pk)
        if form is not None and form.errors:
            failed = (action, form)
        else:
            messages.success(request, "Saved.")
            return redirect("scheduling:session_record", pk)
    forms = {
        "pre_dose": PreDoseForm(instance=record),
        "hold": HoldDecisionForm(),
        "dose": DoseForm(
            initial={
                "amount": getattr(record.appointment.plan, "dose", None),
                "unit": getattr(record.appointment.plan, "dose_unit", "mg"),
                "started": now_time(),
                "ended": now_time(),
            }
        ),
        "observe": ObservationForm(),
        "discharge": DischargeForm(initial={"at": now_time()}),
        "amend": AmendmentForm(),
    }
    if failed:
        forms[failed[0]] = failed[1]
    observations = list(record.observations.all()) if record.pk else []
    return render(
        request,
        "scheduling/session_record.html",
        {
            "record": record,
            "appointment": record.appointment,
            "forms": forms,
            "observations": observations,
            "last": observations[-1] if observations else None,
            "now": timezone.now(),
        },
    )


@permission_required("scheduling.view_sessionrecord", raise_exception=True)
def rems_form(request, pk):
    record = get_object_or_404(
        SessionRecord.objects.select_related("appointment__patient", "signed_by"),
        appointment_id=pk,
        appointment__route_id="intranasal",
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
        .order_by("dose_started_at")
    )
    today = timezone.localdate()
    rows = [(record, record.rems_days_left(today)) for record in records]
    return render(request, "scheduling/rems_due.html", {"rows": rows})


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
