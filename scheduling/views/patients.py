"""A patient's scheduling details: preferred days and times, REMS enrollment."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render

from clinic.models import Patient
from scheduling.forms import PreferenceForm, RemsEnrollmentForm
from scheduling.models import RemsEnrollment, SchedulingPreference


@permission_required("scheduling.change_schedulingpreference", raise_exception=True)
def preferences_edit(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    preference = SchedulingPreference.objects.filter(patient=patient).first()
    form = PreferenceForm(
        request.POST or None, instance=preference or SchedulingPreference(patient=patient)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Preferred days and times are saved.")
        return redirect(patient)
    return render(
        request,
        "scheduling/patient_form.html",
        {"form": form, "patient": patient, "title": "Preferred days and times"},
    )


@permission_required("scheduling.add_remsenrollment", raise_exception=True)
def rems_enroll(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    enrollment = RemsEnrollment.objects.filter(patient=patient).first()
    form = RemsEnrollmentForm(
        request.POST or None, instance=enrollment or RemsEnrollment(patient=patient)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The REMS enrollment is recorded.")
        return redirect(patient)
    return render(
        request,
        "scheduling/patient_form.html",
        {"form": form, "patient": patient, "title": "Spravato REMS enrollment"},
    )
