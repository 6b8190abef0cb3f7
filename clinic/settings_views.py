"""The clinic settings pages for the frequent tasks: chairs, opening hours, closures and
staff. Each view reads its page's rows in a fixed number of queries and saves through a
form, so the change history records who changed what (simple-history's middleware)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.closing import tell_to_rebook
from clinic.models import Closure, OpeningHours, Room, User, Weekday
from clinic.settings_forms import ClosureForm, RoomForm, StaffForm, WeekdayHoursForm
from clinic.settings_pages import (
    SettingsPage,
    all_staff_parts,
    register_settings_page,
    settings_pages_for,
    staff_parts_for,
)
from clinic.two_factor import app_device_for, two_factor_reset

STAFF_PER_PAGE = 50
PAST_CLOSURES = 10

for page in [
    SettingsPage(
        "Chairs and rooms",
        "clinic:settings_rooms",
        "clinic.change_room",
        "The routes each chair is equipped for, and its turnover after a session.",
        10,
    ),
    SettingsPage(
        "Opening hours",
        "clinic:settings_hours",
        "clinic.change_openinghours",
        "When the clinic is open on each weekday.",
        20,
    ),
    SettingsPage(
        "Closures",
        "clinic:settings_closures",
        "clinic.add_closure",
        "Days the clinic is closed: holidays, training days.",
        30,
    ),
    SettingsPage(
        "Staff",
        "clinic:settings_staff",
        "clinic.change_user",
        "Accounts, roles, working hours and two-factor login.",
        40,
    ),
]:
    register_settings_page(page)


def _saved(request, form, *, message, to, **save):
    """Save a valid form in one transaction, say so, and go back to the list."""
    with transaction.atomic():
        form.save(**save)
    messages.success(request, message)
    return redirect(to)


def settings_index(request):
    pages = settings_pages_for(request.user)
    if not pages and not request.user.is_staff:
        raise PermissionDenied
    return render(request, "clinic/settings/index.html", {"pages": pages})


@permission_required("clinic.change_room", raise_exception=True)
@require_safe
def settings_rooms(request):
    rooms = Room.objects.prefetch_related("routes").order_by("-active", "name")
    return render(request, "clinic/settings/rooms.html", {"rooms": rooms})


@permission_required(["clinic.change_room", "clinic.add_room"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_room_new(request):
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _saved(request, form, message="Chair added.", to="clinic:settings_rooms")
    return render(request, "clinic/settings/room_form.html", {"form": form})


@permission_required("clinic.change_room", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_room_edit(request, pk):
    room = get_object_or_404(Room, pk=pk)
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        return _saved(request, form, message=f"{room} saved.", to="clinic:settings_rooms")
    return render(request, "clinic/settings/room_form.html", {"form": form, "room": room})


@permission_required("clinic.change_openinghours", raise_exception=True)
@require_safe
def settings_hours(request):
    hours = {h.weekday: h for h in OpeningHours.objects.all()}
    days = [(weekday, hours.get(weekday.value)) for weekday in Weekday]
    return render(request, "clinic/settings/hours.html", {"days": days})


@permission_required(
    ["clinic.change_openinghours", "clinic.add_openinghours", "clinic.delete_openinghours"],
    raise_exception=True,
)
@require_http_methods(["GET", "POST"])
def settings_hours_edit(request, weekday):
    if weekday not in Weekday.values:
        raise Http404("No such weekday.")
    day = Weekday(weekday)
    form = WeekdayHoursForm(
        request.POST or None,
        weekday=weekday,
        hours=OpeningHours.objects.filter(weekday=weekday).first(),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            booked = form.save()
        messages.success(request, f"{day.label} saved.")
        tell_to_rebook(request, len(booked))
        return redirect("clinic:settings_hours")
    return render(request, "clinic/settings/hours_form.html", {"form": form, "day": day})


@permission_required("clinic.add_closure", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_closures(request):
    """The closures to come (and the last few), with the form to add one."""
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"Closure saved: {form.instance}.")
        tell_to_rebook(request, len(form.booked))
        return redirect("clinic:settings_closures")
    today = timezone.localdate()
    return render(
        request,
        "clinic/settings/closures.html",
        {
            "form": form,
            "coming": Closure.objects.filter(ends_on__gte=today).order_by("starts_on"),
            "past": Closure.objects.filter(ends_on__lt=today).order_by("-starts_on")[
                :PAST_CLOSURES
            ],
        },
    )


@permission_required("clinic.delete_closure", raise_exception=True)
@require_POST
def settings_closure_delete(request, pk):
    closure = get_object_or_404(Closure, pk=pk)
    closure.delete()
    messages.success(request, f"{closure} removed: the clinic is open on those days again.")
    return redirect("clinic:settings_closures")


@permission_required("clinic.change_user", raise_exception=True)
@require_safe
def settings_staff(request):
    people = User.objects.prefetch_related("groups").order_by(
        "-is_active", "last_name", "first_name", "pk"
    )
    page = Paginator(people, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    users = list(page.object_list)
    summaries = [part.summary(users) for part in all_staff_parts()]
    rows = [
        {
            "user": user,
            "roles": ", ".join(group.name for group in user.groups.all()),
            "parts": [summary.get(user.pk, "") for summary in summaries],
        }
        for user in users
    ]
    return render(
        request,
        "clinic/settings/staff.html",
        {"page": page, "rows": rows, "part_titles": [part.title for part in all_staff_parts()]},
    )


def _staff_member(request, pk):
    """The staff member to change; a superuser's account is a superuser's to change."""
    user = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    if user.is_superuser and not request.user.is_superuser:
        raise PermissionDenied
    return user


def _staff_page(request, form, parts, user=None):
    return render(
        request,
        "clinic/settings/staff_form.html",
        {
            "form": form,
            "parts": parts,
            "person": user,
            "device": app_device_for(user) if user else None,
        },
    )


@permission_required(["clinic.change_user", "clinic.add_user"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_staff_new(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
        _send_set_password(request, user)
        messages.success(
            request,
            f"{user} added. An email to {user.email} asks them to choose a password; they set "
            "up two-factor login at their first login.",
        )
        return redirect("clinic:settings_staff_edit", user.pk)
    return _staff_page(request, form, [])


@permission_required("clinic.change_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_staff_edit(request, pk):
    user = _staff_member(request, pk)
    data = request.POST or None
    form = StaffForm(data, instance=user)
    parts = [(part, part.form(user, data)) for part in staff_parts_for(user)]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _, f in parts):
        with transaction.atomic():
            form.save()
            for _, part_form in parts:
                part_form.save()
        messages.success(request, f"{user} saved.")
        return redirect("clinic:settings_staff")
    return _staff_page(request, form, parts, user)


@permission_required("clinic.change_user", raise_exception=True)
@require_POST
def settings_staff_reset_two_factor(request, pk):
    user = _staff_member(request, pk)
    two_factor_reset(user=user, by=request.user)
    messages.success(
        request, f"Two-factor login reset for {user}: they set it up again at their next login."
    )
    return redirect("clinic:settings_staff_edit", pk)


def _send_set_password(request, user):
    form = PasswordResetForm(data={"email": user.email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure())
