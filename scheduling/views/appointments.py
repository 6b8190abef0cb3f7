from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.access_log import log_access
from clinic.models import AccessKind, Patient
from clinic.security import local_next_url
from scheduling import booking
from scheduling.booking import (
    RemsEnrollmentMissing,
    SlotTaken,
    SpacingBroken,
    appointment_book,
    slot_for,
)
from scheduling.forms import AppointmentForm, CancelForm, RescheduleForm, SeriesConfirmForm
from scheduling.models import Appointment


def _get_appointment(pk):
    return get_object_or_404(
        Appointment.objects.select_related("patient", "room", "clinician", "route", "plan"),
        pk=pk,
    )


def _refused(form, taken):
    for conflict in taken.conflicts:
        form.add_error(None, conflict.message)
    form.suggestions = taken.suggestions


@permission_required("scheduling.add_appointment", raise_exception=True)
def appointment_create(request, patient_pk):
    """Book one session outside a series."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    routes = patient.cleared_routes.all()
    route = routes.filter(code=request.GET.get("route") or request.POST.get("route")).first()
    route = route or routes.filter(code="iv").first() or routes.first()
    if route is None:
        messages.error(request, "This patient is not cleared for any route yet.")
        return redirect(patient)
    form = AppointmentForm(request.POST or None, patient=patient, route=route)
    if request.method == "POST" and form.is_valid():
        slot = slot_for(
            route=route,
            starts_at=form.starts_at(),
            room_id=form.cleaned_data["room"].pk,
            clinician_id=form.cleaned_data["clinician"].pk,
        )
        try:
            appointment = appointment_book(
                patient=patient, route=route, slot=slot, booked_by=request.user
            )
        except RemsEnrollmentMissing:
            form.add_error(None, "Record the patient's REMS enrollment before booking esketamine.")
        except SlotTaken as taken:
            _refused(form, taken)
        else:
            messages.success(request, "The session is booked.")
            return redirect(appointment)
    return render(
        request,
        "scheduling/appointment_form.html",
        {"form": form, "patient": patient, "route": route, "routes": routes},
    )


@permission_required("scheduling.view_appointment", raise_exception=True)
def appointment_detail(request, pk):
    appointment = _get_appointment(pk)
    log_access(
        request, AccessKind.APPOINTMENT, patient=appointment.patient, subject=f"Appointment {pk}"
    )
    return render(
        request,
        "scheduling/appointment_detail.html",
        {"appointment": appointment, "cancel_form": CancelForm()},
    )


def _back(request, appointment):
    """To the page the action was taken on (today's list, the flow board), else the session."""
    next_url = local_next_url(request, request.POST.get("next", ""))
    return redirect(next_url or appointment.get_absolute_url())


@permission_required("scheduling.change_appointment", raise_exception=True)
@require_POST
def appointment_check_in(request, pk):
    appointment = _get_appointment(pk)
    try:
        appointment.check_in()
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{appointment.patient.full_name} is checked in.")
    return _back(request, appointment)


@permission_required("scheduling.change_appointment", raise_exception=True)
@require_POST
def appointment_seat(request, pk):
    appointment = _get_appointment(pk)
    try:
        appointment.seat()
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{appointment.patient.full_name} is in the chair.")
    return _back(request, appointment)


@permission_required("scheduling.change_appointment", raise_exception=True)
@require_POST
def appointment_cancel(request, pk):
    appointment = _get_appointment(pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            appointment.cancel(reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The session is {appointment.get_status_display().lower()}.")
            return redirect(appointment)
    return render(
        request,
        "scheduling/appointment_detail.html",
        {"appointment": appointment, "cancel_form": form},
    )


@permission_required("scheduling.change_appointment", raise_exception=True)
def appointment_reschedule(request, pk):
    appointment = _get_appointment(pk)
    try:
        appointment.ensure_movable()
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(appointment)
    form = RescheduleForm(request.POST or None, appointment=appointment)
    confirm_form = SeriesConfirmForm(request.POST or None)
    spacing_problems = []
    if request.method == "POST" and form.is_valid() and confirm_form.is_valid():
        room = form.cleaned_data.get("room")
        try:
            result = booking.appointment_reschedule(
                appointment=appointment,
                starts_at=form.starts_at(),
                room_id=room.pk if room else None,
                clinician_id=form.cleaned_data["clinician"].pk,
                following=form.cleaned_data["following"],
                accept_spacing=confirm_form.cleaned_data["book_anyway"],
            )
        except SpacingBroken as broken:
            spacing_problems = broken.problems
            if broken.conflicts:
                suggestions = booking.next_free_times(
                    route=appointment.route,
                    patient_id=appointment.patient_id,
                    after=form.starts_at(),
                    exclude_ids=[appointment.pk],
                )
                _refused(form, SlotTaken(broken.conflicts, suggestions))
        except SlotTaken as taken:
            _refused(form, taken)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(appointment)
        else:
            moved = len(result.moved)
            messages.success(request, f"{moved} session{'s' if moved > 1 else ''} moved.")
            for warning in result.spacing_warnings:
                messages.warning(request, f"Moved against the protocol's spacing: {warning}")
            return redirect(appointment)
    return render(
        request,
        "scheduling/appointment_reschedule.html",
        {
            "appointment": appointment,
            "form": form,
            "spacing_problems": spacing_problems,
            "confirm_form": SeriesConfirmForm(),
        },
    )
