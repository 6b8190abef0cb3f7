from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clinic.models import Patient
from scheduling.booking import (
    RemsEnrollmentMissing,
    SeriesSizeWrong,
    SlotTaken,
    SpacingBroken,
    next_free_times,
    series_book,
    slot_for,
)
from scheduling.forms import PlanOrderForm, SeriesConfirmForm, SessionFormSet
from scheduling.models import Appointment, TreatmentPlan
from scheduling.planner import series_propose


@permission_required("scheduling.add_treatmentplan", raise_exception=True)
def plan_create(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = PlanOrderForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.patient = patient
        plan.ordered_by = request.user
        plan.protocol_version = form.cleaned_data["protocol"].snapshot()
        plan.save()
        messages.success(request, "The order is recorded. Plan the series to book its sessions.")
        return redirect(plan)
    return render(request, "scheduling/plan_form.html", {"form": form, "patient": patient})


def _initial(slots, zone):
    return [
        {
            "day": slot.starts_at.astimezone(zone).date(),
            "time": slot.starts_at.astimezone(zone).time(),
            "room": slot.room_id,
            "clinician": slot.clinician_id,
        }
        for slot in slots
    ]


def _show_conflicts(formset, taken, route, patient_id):
    for conflict in taken.conflicts:
        if conflict.sequence is None:
            formset._non_form_errors.append(conflict.message)
            continue
        form = formset.forms[conflict.sequence - 1]
        form.add_error(None, f"Session {conflict.sequence}: {conflict.message}")
        if not hasattr(form, "suggestions"):
            form.suggestions = next_free_times(
                route=route, patient_id=patient_id, after=max(form.starts_at(), timezone.now())
            )


@permission_required("scheduling.view_treatmentplan", raise_exception=True)
def plan_detail(request, pk):
    plan = get_object_or_404(
        TreatmentPlan.objects.select_related(
            "patient", "protocol_version__route", "ordered_by"
        ).prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related("room", "clinician", "route"),
            )
        ),
        pk=pk,
    )
    route = plan.protocol_version.route
    zone = request.clinic.zone
    context = {"plan": plan, "route": route}
    if plan.status != TreatmentPlan.Status.DRAFT:
        return render(request, "scheduling/plan_detail.html", context)

    can_book = request.user.has_perm("scheduling.add_appointment")
    session_count = plan.protocol_version.session_count
    spacing_problems = []
    if request.method == "POST":
        if not can_book:
            raise PermissionDenied
        formset = SessionFormSet(request.POST, route=route, session_count=session_count)
        confirm_form = SeriesConfirmForm(request.POST)
        if formset.is_valid() and confirm_form.is_valid():
            slots = [
                slot_for(
                    route=route,
                    starts_at=form.starts_at(),
                    room_id=form.cleaned_data["room"].pk,
                    clinician_id=form.cleaned_data["clinician"].pk,
                )
                for form in formset.forms
            ]
            try:
                series_book(
                    plan=plan,
                    slots=slots,
                    booked_by=request.user,
                    accept_spacing=confirm_form.cleaned_data["book_anyway"],
                )
            except SpacingBroken as broken:
                spacing_problems = broken.problems
                messages.error(
                    request,
                    "Nothing was booked: these times break the protocol's spacing. Change them, "
                    'or tick "Book anyway" if a clinician has decided to deviate.',
                )
            except SeriesSizeWrong as wrong:
                formset._non_form_errors.append(str(wrong))
            except SlotTaken as taken:
                _show_conflicts(formset, taken, route, plan.patient_id)
                messages.error(
                    request, "Nothing was booked: some times clash. Change them and confirm again."
                )
            except RemsEnrollmentMissing:
                messages.error(
                    request,
                    "Record the patient's REMS enrollment (both signatures) before booking "
                    "esketamine.",
                )
            else:
                messages.success(request, f"All {len(slots)} sessions are booked.")
                return redirect(plan)
        proposal = None
    else:
        proposal = series_propose(plan=plan, not_before=timezone.now())
        initial = _initial(proposal.slots, zone)
        initial += [{}] * (session_count - len(initial))
        formset = SessionFormSet(initial=initial, route=route, session_count=session_count)
    context.update(
        {
            "formset": formset,
            "proposal": proposal,
            "can_book": can_book,
            "spacing_problems": spacing_problems,
            "confirm_form": SeriesConfirmForm() if spacing_problems else None,
        }
    )
    return render(request, "scheduling/plan_detail.html", context)
