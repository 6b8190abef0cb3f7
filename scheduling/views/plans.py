from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

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
from scheduling.forms import PlanCloseForm, PlanOrderForm, SeriesConfirmForm, SessionFormSet
from scheduling.models import Appointment, TreatmentPlan
from scheduling.planner import series_propose
from scheduling.plans import plan_order


@permission_required("scheduling.add_treatmentplan", raise_exception=True)
def plan_create(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = PlanOrderForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        plan = plan_order(patient=patient, ordered_by=request.user, **form.cleaned_data)
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
            formset.add_non_form_error(conflict.message)
            continue
        form = formset.forms[conflict.sequence - 1]
        form.add_error(None, f"Session {conflict.sequence}: {conflict.message}")
        if not hasattr(form, "suggestions"):
            form.suggestions = next_free_times(
                route=route, patient_id=patient_id, after=max(form.starts_at(), timezone.now())
            )


def _with_offered_time(request, plan):
    """The posted rows with one offered free time put into its row; nothing is booked.

    The button's value is "row|day|time|chair|clinician"; one that does not parse
    leaves the rows as they were posted.
    """
    data = request.POST.copy()
    row, *values = request.POST["use_time"].split("|")
    count = plan.protocol_version.session_count
    if len(values) == 4 and row.isdigit() and int(row) < count:
        for name, value in zip(("day", "time", "room", "clinician"), values, strict=True):
            data[f"form-{row}-{name}"] = value
        messages.info(
            request,
            f"Session {int(row) + 1} now has the free time you chose. Nothing is booked yet: "
            "check the series and confirm.",
        )
    return _session_formset(plan, data=data)


def _get_plan(pk):
    return get_object_or_404(
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


def _page(request, plan, *, formset=None, proposal=None, spacing_problems=(), close_form=None):
    """A booked or cancelled plan lists its sessions; a draft shows the times to confirm."""
    context = {"plan": plan, "route": plan.protocol_version.route}
    if plan.is_in_treatment and request.user.has_perm("scheduling.close_treatmentplan"):
        context["close_form"] = close_form or PlanCloseForm()
    if plan.status == TreatmentPlan.Status.DRAFT:
        context.update(
            {
                "formset": formset,
                "proposal": proposal,
                "can_book": request.user.has_perm("scheduling.add_appointment"),
                "spacing_problems": spacing_problems,
                "confirm_form": SeriesConfirmForm() if spacing_problems else None,
            }
        )
    return render(request, "scheduling/plan_detail.html", context)


def _session_formset(plan, data=None, initial=None):
    version = plan.protocol_version
    return SessionFormSet(
        data, initial=initial, route=version.route, session_count=version.session_count
    )


@permission_required("scheduling.view_treatmentplan", raise_exception=True)
@require_safe
def plan_detail(request, pk):
    plan = _get_plan(pk)
    if plan.status != TreatmentPlan.Status.DRAFT:
        return _page(request, plan)
    proposal = series_propose(plan=plan, not_before=timezone.now())
    initial = _initial(proposal.slots, request.clinic.zone)
    initial += [{}] * (plan.protocol_version.session_count - len(initial))
    return _page(request, plan, formset=_session_formset(plan, initial=initial), proposal=proposal)


@permission_required(
    ["scheduling.view_treatmentplan", "scheduling.add_appointment"], raise_exception=True
)
@require_POST
def plan_book(request, pk):
    plan = _get_plan(pk)
    if plan.status != TreatmentPlan.Status.DRAFT:
        return redirect(plan)
    route = plan.protocol_version.route
    if "use_time" in request.POST:
        return _page(request, plan, formset=_with_offered_time(request, plan))
    formset = _session_formset(plan, data=request.POST)
    confirm_form = SeriesConfirmForm(request.POST)
    if not (formset.is_valid() and confirm_form.is_valid()):
        return _page(request, plan, formset=formset)
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
        clashes = ""
        if broken.conflicts:
            _show_conflicts(formset, SlotTaken(broken.conflicts), route, plan.patient_id)
            clashes = " Some times also clash: change those in any case."
        messages.error(
            request,
            "Nothing was booked: these times break the protocol's spacing. Change them, "
            'or tick "Book anyway" if a clinician has decided to deviate.' + clashes,
        )
        return _page(request, plan, formset=formset, spacing_problems=broken.problems)
    except SeriesSizeWrong as wrong:
        formset.add_non_form_error(str(wrong))
    except SlotTaken as taken:
        _show_conflicts(formset, taken, route, plan.patient_id)
        messages.error(
            request, "Nothing was booked: some times clash. Change them and confirm again."
        )
    except RemsEnrollmentMissing:
        messages.error(
            request,
            "Record the patient's REMS enrollment (both signatures) before booking esketamine.",
        )
    else:
        messages.success(request, f"All {len(slots)} sessions are booked.")
        return redirect(plan)
    return _page(request, plan, formset=formset)


@permission_required(
    ["scheduling.view_treatmentplan", "scheduling.close_treatmentplan"], raise_exception=True
)
@require_POST
def plan_close(request, pk):
    plan = _get_plan(pk)
    form = PlanCloseForm(request.POST)
    if not form.is_valid():
        return _page(request, plan, close_form=form)
    try:
        plan.close(
            reason=form.cleaned_data["reason"], note=form.cleaned_data["note"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "The series is closed. Sessions still booked stay booked.")
    return redirect(plan)
