import datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access_log import CSV_HEADER, access_log_rows, log_access
from clinic.audit import change_log
from clinic.counts import counted
from clinic.forms import (
    AccessLogExportForm,
    AcknowledgeFlagForm,
    EmailAuthenticationForm,
    PatientForm,
    PatientSearchForm,
)
from clinic.link_sessions import link_release_all
from clinic.models import AccessKind, AccessLogEntry, Patient, PatientStatus, SafetyFlag
from clinic.panels import Panel, home_panels, patient_panels
from clinic.spreadsheets import csv_lines

PATIENTS_PER_PAGE = 25
SEARCH_SESSION_KEY = "patient_search"


class StaffLoginView(auth_views.LoginView):
    """The staff login; any patient link opened in this browser stops working."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        link_release_all(self.request)
        return super().form_valid(form)


def _patients_by_status():
    # COUNT(*), not COUNT(id): PostgreSQL counts from the status index alone.
    rows = Patient.objects.values("status").annotate(n=Count("*")).order_by()
    return {row["status"]: row["n"] for row in rows}


def home(request):
    status_counts = {}
    if request.user.has_perm("clinic.view_patient"):
        counts = counted("patients-by-status", _patients_by_status)
        status_counts = [
            (label, counts.get(value, 0), value) for value, label in PatientStatus.choices
        ]
    return render(
        request,
        "clinic/home.html",
        {"status_counts": status_counts, "panels": home_panels(request)},
    )


def safety_flags_panel(request):
    """The open urgent flags, first on the staff home page."""
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
        # The note is the form's only field: its message says what to change.
        messages.error(request, form.errors["note"][0])
        return redirect("home")
    try:
        flag.acknowledge(by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The flag for {flag.patient.full_name} is acknowledged.")
    return redirect("home")


@permission_required("clinic.view_patient", raise_exception=True)
def patient_list(request):
    # The search is kept in the session, not the URL: names and dates of birth
    # must not end up in server logs or browser history.
    if request.method == "POST":
        form = PatientSearchForm(request.POST)
        if form.is_valid():
            request.session[SEARCH_SESSION_KEY] = form.cleaned_data["q"]
        return redirect("clinic:patient_list")

    query = request.session.get(SEARCH_SESSION_KEY, "")
    patients = Patient.objects.search(query)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "clinic/patient_list.html",
        {"page": page, "query": query, "form": PatientSearchForm(initial={"q": query})},
    )


@permission_required("clinic.add_patient", raise_exception=True)
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = form.save()
        messages.success(request, f"{patient.full_name} is registered with MRN {patient.mrn}.")
        return redirect(patient)
    return render(request, "clinic/patient_form.html", {"form": form})


@permission_required("clinic.view_patient", raise_exception=True)
def patient_detail(request, pk):
    patient = get_object_or_404(Patient.objects.prefetch_related("cleared_routes"), pk=pk)
    log_access(request, AccessKind.PATIENT_PAGE, patient=patient)
    return render(
        request,
        "clinic/patient_detail.html",
        {"patient": patient, "panels": patient_panels(request, patient)},
    )


@permission_required("clinic.change_patient", raise_exception=True)
def patient_update(request, pk):
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The patient's details are saved.")
        return redirect(patient)
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient})


@permission_required("clinic.view_historicalpatient", raise_exception=True)
def patient_history(request, pk):
    patient = get_object_or_404(Patient, pk=pk)
    log_access(request, AccessKind.PATIENT_HISTORY, patient=patient)
    return render(
        request,
        "clinic/patient_history.html",
        {"patient": patient, "changes": change_log(patient.history.all())},
    )


ACCESS_PANEL_ROWS = 10  # on the patient page; the access log page has them all
ACCESS_LOG_PAGE = 50


def access_log_panel(request, patient):
    """The latest reads of this patient's record, for clinic admins (the whole log: a page)."""
    if not request.user.has_perm("clinic.view_accesslogentry"):
        return None
    entries = (
        AccessLogEntry.objects.filter(patient=patient)
        .select_related("user")
        .order_by("-at", "-pk")[:ACCESS_PANEL_ROWS]
    )
    return Panel(
        title="Who opened this record",
        template_name="clinic/access_log_panel.html",
        context={"patient": patient, "entries": entries},
        order=200,
    )


@permission_required("clinic.view_accesslogentry", raise_exception=True)
def patient_access_log(request, pk):
    patient = get_object_or_404(Patient, pk=pk)
    log_access(request, AccessKind.ACCESS_LOG, patient=patient)
    entries = (
        AccessLogEntry.objects.filter(patient=patient).select_related("user").order_by("-at", "-pk")
    )
    page = Paginator(entries, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "clinic/patient_access_log.html", {"patient": patient, "page": page})


@permission_required("clinic.view_accesslogentry", raise_exception=True)
def access_log_export(request):
    """The whole read log of a date range, as CSV (streamed: a year of it is large)."""
    form = AccessLogExportForm(request.GET or None)
    if not form.is_valid():
        if not request.GET:
            today = timezone.localdate()
            form = AccessLogExportForm(
                initial={"first_day": today - datetime.timedelta(days=30), "last_day": today}
            )
        return render(request, "clinic/access_log_export.html", {"form": form})
    first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    log_access(request, AccessKind.ACCESS_LOG_CSV, subject=f"{first} to {last}")
    entries = AccessLogEntry.objects.between(first, last, request.clinic.zone)
    response = StreamingHttpResponse(
        csv_lines(CSV_HEADER, access_log_rows(entries, request.clinic.zone)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="access-log-{first}-to-{last}.csv"'
    return response
