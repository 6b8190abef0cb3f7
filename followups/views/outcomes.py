"""Staff pages for outcome measures, questionnaire links, reminder settings and exports."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access_log import log_access
from clinic.instruments import INSTRUMENTS
from clinic.measures import measure_record
from clinic.models import AccessKind, MeasureSource, Patient
from clinic.spreadsheets import csv_text
from followups import exports
from followups.forms import MeasureForm
from followups.preferences import reminders_set
from followups.questionnaires import NoEmailAddress, questionnaire_link_send


@permission_required("clinic.add_outcomemeasure", raise_exception=True)
def measure_create(request, patient_pk, instrument):
    patient = get_object_or_404(Patient, pk=patient_pk)
    if instrument not in INSTRUMENTS:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = MeasureForm(data, instrument_code=instrument, with_date=True, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_record(
                patient=patient,
                instrument_code=instrument,
                answers=form.answers(),
                difficulty=form.cleaned_data["difficulty"],
                source=MeasureSource.STAFF,
                taken_at=form.taken_at(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{measure.get_instrument_display()} {measure.total} saved.")
            return redirect(patient)
    return render(
        request,
        "followups/measure_form.html",
        {"form": form, "patient": patient, "instrument": INSTRUMENTS[instrument]},
    )


@permission_required("followups.send_questionnaire_link", raise_exception=True)
@require_POST
def questionnaire_send(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        questionnaire_link_send(
            patient=patient, site_url=request.build_absolute_uri("/"), issued_by=request.user
        )
    except NoEmailAddress:
        messages.error(request, "This patient has no email address. Add one to send the link.")
    else:
        messages.success(request, f"Questionnaire link sent to {patient.email}.")
    if request.POST.get("next") == "worklist":
        return redirect("followups:worklist")
    return redirect(patient)


@permission_required("followups.change_reminderpreference", raise_exception=True)
@require_POST
def reminders_toggle(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    enabled = request.POST.get("enabled") == "1"
    reminders_set(patient=patient, enabled=enabled)
    messages.success(request, "Reminder emails are on." if enabled else "Reminder emails are off.")
    return redirect(patient)


def _csv_response(text, filename):
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required("clinic.view_outcomemeasure", raise_exception=True)
@permission_required("scheduling.view_appointment", raise_exception=True)
def patient_export(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    log_access(request, AccessKind.PATIENT_EXPORT, patient=patient)
    header, rows = exports.patient_rows(patient)
    # The file name carries the MRN only, never the name.
    return _csv_response(csv_text(header, rows), f"patient-{patient.mrn}.csv")


@permission_required("followups.view_clinic_report", raise_exception=True)
def clinic_report(request):
    log_access(request, AccessKind.CLINIC_REPORT)
    report = exports.clinic_report()
    return render(request, "followups/report.html", {"report": report})


@permission_required("followups.view_clinic_report", raise_exception=True)
def clinic_report_csv(request):
    log_access(request, AccessKind.CLINIC_REPORT_CSV)
    report = exports.clinic_report()
    return _csv_response(exports.report_csv(report), f"clinic-report-{timezone.localdate()}.csv")
