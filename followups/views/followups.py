"""The worklist, and adding, booking and closing follow-ups."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.models import Patient
from clinic.panels import worklist_panels
from followups.forms import FollowUpBookForm, FollowUpForm, providers
from followups.models import FollowUp
from followups.services import AlreadyBooked, follow_up_book, follow_up_route
from followups.worklist import SECTION_KEYS, worklist_build
from scheduling.booking import SlotTaken


@permission_required("followups.view_followup", raise_exception=True)
def worklist(request):
    """Every section's first rows with its count, or one section page by page."""
    provider_choices = list(providers())
    provider = next((p for p in provider_choices if str(p.pk) == request.GET.get("provider")), None)
    worklist = worklist_build(provider=provider)
    chosen = SECTION_KEYS.get(request.GET.get("section", ""))
    filters = {"provider": provider.pk} if provider else {}
    page = worklist.page(chosen.key, request.GET.get("page")) if chosen else None
    return render(
        request,
        "followups/worklist.html",
        {
            "worklist": worklist,
            "sections": (
                [(chosen, page.paginator.count, page.object_list)]
                if chosen
                else worklist.overview()
            ),
            "chosen": chosen,
            "page": page,
            "page_query": urlencode({"section": chosen.key, **filters}) + "&" if chosen else "",
            "provider_query": urlencode(filters),
            "providers": provider_choices,
            "provider": provider,
            "today": worklist.today,
            "panels": [] if chosen else worklist_panels(request),
        },
    )


@permission_required("followups.add_followup", raise_exception=True)
def follow_up_create(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        follow_up = form.save(commit=False)
        follow_up.patient = patient
        follow_up.created_by = request.user
        follow_up.save()
        messages.success(request, f"{follow_up.get_kind_display()} added.")
        return redirect(patient)
    return render(request, "followups/follow_up_form.html", {"form": form, "patient": patient})


def _get_follow_up(pk):
    return get_object_or_404(
        FollowUp.objects.select_related(
            "patient", "appointment", "plan__protocol_version__route", "provider"
        ),
        pk=pk,
    )


@permission_required("followups.change_followup", raise_exception=True)
def follow_up_book_view(request, pk):
    follow_up = _get_follow_up(pk)
    booked = follow_up.booked_appointment
    if not follow_up.is_open or (booked and booked.status != booked.Status.NO_SHOW):
        messages.info(request, "This follow-up is already booked or closed.")
        return redirect(follow_up.patient)
    route = follow_up_route(follow_up)
    initial = {"day": max(follow_up.due_from, timezone.localdate())}
    form = FollowUpBookForm(request.POST or None, follow_up=follow_up, route=route, initial=initial)
    suggestions = []
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data.get("room")
        try:
            appointment = follow_up_book(
                follow_up=follow_up,
                starts_at=form.starts_at(),
                clinician_id=form.cleaned_data["clinician"].pk,
                room_id=room.pk if room else None,
                booked_by=request.user,
            )
        except AlreadyBooked:
            messages.info(request, "This follow-up is already booked or closed.")
            return redirect(follow_up.patient)
        except SlotTaken as taken:
            for conflict in taken.conflicts:
                form.add_error(None, conflict.message)
            suggestions = taken.suggestions
        else:
            messages.success(
                request,
                f"{follow_up.get_kind_display()} booked for "
                f"{timezone.localtime(appointment.starts_at):%a %b %d, %I:%M %p}.",
            )
            return redirect("followups:worklist")
    return render(
        request,
        "followups/follow_up_book.html",
        {"form": form, "follow_up": follow_up, "suggestions": suggestions},
    )


@permission_required("followups.change_followup", raise_exception=True)
@require_POST
def follow_up_close(request, pk):
    follow_up = _get_follow_up(pk)
    note = request.POST.get("note", "")[:300]
    # The worklist's "Mark done" button posts no action.
    action = request.POST.get("action", "done")
    if action not in ("done", "cancel"):
        return HttpResponseBadRequest("Unknown action.")
    try:
        if action == "cancel":
            follow_up.cancel(note=note)
            messages.success(request, "The follow-up is cancelled.")
        else:
            follow_up.complete(note=note)
            messages.success(request, "The follow-up is marked done.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    if request.POST.get("next") == "worklist":
        return redirect("followups:worklist")
    return redirect(follow_up.patient)
