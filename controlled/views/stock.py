"""What is in the safe, one container's story, and the movements made from its page."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.access_log import log_access
from clinic.models import AccessKind
from controlled import ledger
from controlled.administrations import draw_correct
from controlled.forms import CorrectionForm, ReceiptForm, TransferForm, WasteForm
from controlled.models import Container, EntryKind, LedgerEntry, StorageLocation
from controlled.reference_data import CUSTODIAN

EXPIRING_DAYS = 30


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def stock(request):
    today = timezone.localdate()
    containers = list(
        Container.objects.in_stock()
        .with_balance()
        .select_related("product", "location")
        .order_by("location__name", "product__name", "expires_on", "pk")
    )
    by_location = {}
    for container in containers:
        container.expired = container.expired_on(today)
        container.expiring = (container.expires_on - today).days <= EXPIRING_DAYS
        by_location.setdefault(container.location, []).append(container)
    totals = (
        LedgerEntry.objects.filter(container__emptied_at__isnull=True)
        .values("container__product__name", "container__product__ndc")
        .annotate(mg=Sum("mg"), ml=Sum("ml"), containers=Count("container", distinct=True))
        .order_by("container__product__name")
    )
    return render(
        request,
        "controlled/stock.html",
        {
            "by_location": by_location,
            "totals": totals,
            "locations": StorageLocation.objects.filter(active=True),
            "today": today,
        },
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def receive(request):
    form = ReceiptForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = ledger.delivery_receive(
                supplier=data["supplier"],
                invoice_number=data["invoice_number"],
                received_on=data["received_on"],
                product=data["product"],
                lot_number=data["lot_number"],
                expires_on=data["expires_on"],
                container_count=data["container_count"],
                location=data["location"],
                received_by=request.user,
                checked_by=form.witness,
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Received {receipt.container_count} × {receipt.product}, lot "
                f"{receipt.lot_number}, into {receipt.location}.",
            )
            return redirect("controlled:stock")
    return render(request, "controlled/receive.html", {"form": form})


def _container(pk):
    return get_object_or_404(
        Container.objects.select_related("product", "location", "receipt__supplier"), pk=pk
    )


def _container_page(request, container, **forms):
    entries = list(
        container.entries.select_related(
            "recorded_by", "witness", "patient", "location", "corrects"
        ).order_by("at", "pk")
    )
    corrected = {entry.corrects_id for entry in entries if entry.corrects_id}
    running = 0
    for entry in entries:
        running += entry.mg
        entry.balance_after = running
        entry.corrected = entry.pk in corrected
    container.balance_mg, container.balance_ml = ledger.balance(container)
    context = {
        "container": container,
        "entries": entries,
        "today": timezone.localdate(),
        "waste_form": forms.get("waste_form")
        or WasteForm(request=request, initial={"mg": ledger.amount_text(container.balance_mg)}),
        "transfer_form": forms.get("transfer_form") or TransferForm(container=container),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
        "correcting": forms.get("correcting"),
        "not_correctable": (EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT, EntryKind.CORRECTION),
    }
    return render(request, "controlled/container.html", context)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def container_detail(request, pk):
    container = _container(pk)
    # Its ledger names the patients given doses from it.
    log_access(request, AccessKind.CLINIC_REPORT, subject=f"Ledger of container {container.label}")
    return _container_page(request, container)


@permission_required(CUSTODIAN, raise_exception=True)
@require_POST
def container_waste(request, pk):
    container = _container(pk)
    form = WasteForm(request.POST, request=request)
    if form.is_valid():
        try:
            ledger.container_waste(
                container=container,
                mg=form.cleaned_data["mg"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                witness=form.witness,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The waste is recorded, with its witness.")
            return redirect("controlled:container", pk)
    return _container_page(request, container, waste_form=form)


@permission_required(CUSTODIAN, raise_exception=True)
@require_POST
def container_transfer(request, pk):
    container = _container(pk)
    form = TransferForm(request.POST, container=container)
    if form.is_valid():
        try:
            ledger.container_move(container=container, to=form.cleaned_data["to"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Moved to {form.cleaned_data['to']}.")
            return redirect("controlled:container", pk)
    return _container_page(request, container, transfer_form=form)


@permission_required(CUSTODIAN, raise_exception=True)
@require_POST
def entry_correct(request, pk):
    entry = get_object_or_404(LedgerEntry.objects.select_related("container"), pk=pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            if entry.session_record_id:
                draw_correct(entry=entry, reason=form.cleaned_data["reason"], by=request.user)
            else:
                ledger.entry_correct(
                    entry=entry, reason=form.cleaned_data["reason"], by=request.user
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The entry is reversed. Enter the right movement now.")
        return redirect("controlled:container", entry.container_id)
    container = _container(entry.container_id)
    return _container_page(request, container, correction_form=form, correcting=entry.pk)
