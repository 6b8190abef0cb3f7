"""Losses and thefts (what DEA Form 106 asks for), and returns or destruction (Form 41)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from controlled import ledger
from controlled.attention import one_business_day_after
from controlled.forms import DisposalForm, LossForm, LossNoticeForm
from controlled.models import LossNotice, LossReport
from controlled.reference_data import CUSTODIAN


@permission_required(CUSTODIAN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def loss_new(request):
    form = LossForm(request.POST or None, initial={"container": request.GET.get("container")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        discovered_at = datetime.datetime.combine(
            data["discovered_on"], data["discovered_time"], timezone.get_current_timezone()
        )
        try:
            report = ledger.loss_report(
                kind=data["kind"],
                discovered_at=discovered_at,
                description=data["description"],
                losses=[(data["container"], data["mg"])],
                by=request.user,
                police_notified=data["police_notified"],
                police_report=data["police_report"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(
                request,
                "The loss is recorded. Tell DEA in writing by "
                f"{timezone.localtime(one_business_day_after(report.discovered_at)):%A %b %-d}, "
                "then record the Form 106 here.",
            )
            return redirect("controlled:loss", report.pk)
    return render(request, "controlled/loss_form.html", {"form": form})


def _loss_page(request, report, notice_form=None):
    report.deadline = one_business_day_after(report.discovered_at)
    return render(
        request,
        "controlled/loss_detail.html",
        {
            "report": report,
            "entries": report.entries.select_related("container__product", "recorded_by"),
            "notice": LossNotice.objects.filter(report=report).first(),
            "notice_form": notice_form
            or LossNoticeForm(report=report, initial={"reported_on": timezone.localdate()}),
        },
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def loss_detail(request, pk):
    return _loss_page(
        request, get_object_or_404(LossReport.objects.select_related("recorded_by"), pk=pk)
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_POST
def loss_reported(request, pk):
    report = get_object_or_404(LossReport, pk=pk)
    form = LossNoticeForm(request.POST, report=report)
    if form.is_valid():
        if LossNotice.objects.filter(report=report).exists():
            messages.info(request, "DEA's notice is already recorded.")
            return redirect("controlled:loss", pk)
        noon = datetime.time(12)
        LossNotice.objects.create(
            report=report,
            reported_at=datetime.datetime.combine(
                form.cleaned_data["reported_on"], noon, timezone.get_current_timezone()
            ),
            reference=form.cleaned_data["reference"],
            recorded_by=request.user,
        )
        messages.success(request, "Recorded: DEA has been told.")
        return redirect("controlled:loss", pk)
    return _loss_page(request, report, notice_form=form)


@permission_required(CUSTODIAN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def disposal_new(request):
    form = DisposalForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disposal = ledger.containers_dispose(
                containers=list(data["containers"]),
                kind=data["kind"],
                on=data["on"],
                by=request.user,
                witness=form.witness,
                reverse_distributor=data["reverse_distributor"],
                reverse_distributor_address=data["reverse_distributor_address"],
                reverse_distributor_dea_number=data["reverse_distributor_dea_number"],
                method=data["method"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{disposal} is recorded.")
            return redirect("controlled:stock")
    return render(request, "controlled/disposal_form.html", {"form": form})
