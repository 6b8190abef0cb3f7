"""The reports an inspector asks for: each a page at a time on screen, printable, and as a
CSV with every row (streamed, so a year of entries is never held in memory)."""

import datetime
from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic.access_log import log_access
from clinic.forms import DateInput
from clinic.models import AccessKind, Clinic
from clinic.spreadsheets import csv_lines
from controlled import report_rows, reports
from controlled.models import Container
from controlled.reference_data import CUSTODIAN

ROWS_PER_PAGE = 200
LONGEST_RANGE_DAYS = 366
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


class PeriodForm(forms.Form):
    """The days a report covers, `from` and `to` both included."""

    def __init__(self, data=None, *, today):
        super().__init__(data, initial={"from": today.replace(day=1), "to": today})
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = forms.DateField(label="From", widget=DateInput())
        self.fields["to"] = forms.DateField(label="To (included)", widget=DateInput())
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("from", css_class="col-auto"), Column("to", css_class="col-auto"))
        )

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, "Enter a date from 2000 to 2099.")
        first, last = data.get("from"), data.get("to")
        if self.errors or not (first and last):
            return data
        if last < first:
            self.add_error("to", "The last day comes before the first: swap them.")
        elif (last - first).days + 1 > LONGEST_RANGE_DAYS:
            self.add_error(
                "to", "Choose at most 366 days. For a longer time, take one year at a time."
            )
        return data


class InventoryForm(forms.Form):
    count = forms.ModelChoiceField(
        label="Inventory",
        queryset=reports.biennial_counts(),
        required=False,
        empty_label="The latest",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].label_from_instance = lambda count: (
            f"{timezone.localtime(count.counted_at):%b %-d, %Y %-I:%M %p}, {count.location}"
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("count", css_class="col-auto")))


def _zone():
    return Clinic.load().zone


def _period(request):
    """The form, and the days asked for (this month so far when none are); no days when
    what was typed is not a range we can show."""
    today = timezone.localdate(timezone=_zone())
    asked = "from" in request.GET or "to" in request.GET
    form = PeriodForm(request.GET if asked else None, today=today)
    if not asked:
        return form, today.replace(day=1), today
    if form.is_valid():
        return form, form.cleaned_data["from"], form.cleaned_data["to"]
    return form, None, None


def _page(request, rows):
    return Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))


def _csv(filename, header, rows):
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _shortcuts():
    """This month so far and the whole of last month, as the choices an inspector asks for."""
    today = timezone.localdate(timezone=_zone())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - datetime.timedelta(days=1)
    spans = [
        ("This month", first_of_month, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
    ]
    return [
        (label, urlencode({"from": first.isoformat(), "to": last.isoformat()}))
        for label, first, last in spans
    ]


def _range_page(request, name, template, build):
    """A report of a range of days: `build(first, last, start, end)` gives its context."""
    form, first, last = _period(request)
    context = {
        "form": form,
        "first": first,
        "last": last,
        "page": None,
        "shortcuts": _shortcuts(),
    }
    if first is not None:
        query = urlencode({"from": first.isoformat(), "to": last.isoformat()})
        context.update(
            build(first, last, *reports.period(first, last, _zone())),
            page_query=f"{query}&",
            csv_url=f"{reverse(f'controlled:{name}_csv')}?{query}",
        )
    return render(request, f"controlled/reports/{template}", context)


def _range_csv(request, name, template, rows):
    """The CSV of a range of days; the page with the form's message when it is not valid."""
    form, first, last = _period(request)
    if first is None:
        return render(request, f"controlled/reports/{template}", {"form": form, "page": None})
    zone = _zone()
    filename = f"{name.removeprefix('report_')}-{first}-to-{last}"
    return _csv(filename, *rows(first, last, *reports.period(first, last, zone), zone))


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_index(request):
    return render(request, "controlled/reports/index.html")


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_administrations(request):
    def build(first, last, start, end):
        log_access(
            request,
            AccessKind.CLINIC_REPORT,
            subject=f"Controlled-substance administrations, {first} to {last}",
        )
        return {
            "page": _page(request, reports.administrations(start, end)),
            "totals": reports.administration_totals(start, end),
        }

    return _range_page(request, "report_administrations", "administrations.html", build)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_administrations_csv(request):
    def rows(first, last, start, end, zone):
        log_access(
            request,
            AccessKind.CLINIC_REPORT_CSV,
            subject=f"Controlled-substance administrations, {first} to {last}",
        )
        entries = reports.administrations(start, end)
        return report_rows.ADMINISTRATION_HEADER, report_rows.administration_rows(entries, zone)

    return _range_csv(request, "report_administrations", "administrations.html", rows)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_receipts(request):
    def build(first, last, start, end):
        return {
            "page": _page(request, reports.receipts(first, last)),
            "totals": reports.receipt_totals(first, last),
        }

    return _range_page(request, "report_receipts", "receipts.html", build)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_receipts_csv(request):
    def rows(first, last, start, end, zone):
        return report_rows.RECEIPT_HEADER, report_rows.receipt_rows(reports.receipts(first, last))

    return _range_csv(request, "report_receipts", "receipts.html", rows)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_waste(request):
    def build(first, last, start, end):
        return {
            "page": _page(request, reports.waste(start, end)),
            "totals": reports.waste_totals(start, end),
        }

    return _range_page(request, "report_waste", "waste.html", build)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_waste_csv(request):
    def rows(first, last, start, end, zone):
        return report_rows.WASTE_HEADER, report_rows.waste_rows(reports.waste(start, end), zone)

    return _range_csv(request, "report_waste", "waste.html", rows)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_discrepancies(request):
    def build(first, last, start, end):
        return {
            "page": _page(request, reports.count_differences(start, end)),
            "difference_totals": reports.difference_totals(start, end),
            # Losses are few; past a page of them the CSV has the rest.
            "losses": list(reports.with_deadlines(reports.losses(start, end)[: ROWS_PER_PAGE + 1])),
            "losses_shown": ROWS_PER_PAGE,
            "loss_totals": reports.loss_totals(start, end),
            "now": timezone.now(),
        }

    return _range_page(request, "report_discrepancies", "discrepancies.html", build)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_discrepancies_csv(request):
    def rows(first, last, start, end, zone):
        lines, losses = reports.count_differences(start, end), reports.losses(start, end)
        return report_rows.DISCREPANCY_HEADER, report_rows.discrepancy_rows(lines, losses, zone)

    return _range_csv(request, "report_discrepancies", "discrepancies.html", rows)


def _inventory(request):
    """The form and the biennial inventory chosen (the latest unless one is)."""
    form = InventoryForm(request.GET if "count" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return form, None
    chosen = form.cleaned_data["count"] if form.is_bound else None
    return form, chosen or reports.biennial_counts().first()


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_inventory(request):
    form, count = _inventory(request)
    context = {"form": form, "count": count, "page": None, "invalid": form.errors}
    if count is not None:
        query = urlencode({"count": count.pk})
        context.update(
            page=_page(request, reports.inventory_lines(count)),
            totals=reports.inventory_totals(count),
            page_query=f"{query}&",
            csv_url=f"{reverse('controlled:report_inventory_csv')}?{query}",
        )
    return render(request, "controlled/reports/inventory.html", context)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_inventory_csv(request):
    form, count = _inventory(request)
    if count is None:
        context = {"form": form, "count": None, "page": None, "invalid": form.errors}
        return render(request, "controlled/reports/inventory.html", context)
    rows = report_rows.inventory_rows(count, reports.inventory_lines(count), _zone())
    return _csv(
        f"biennial-inventory-{count.counted_at:%Y-%m-%d}", report_rows.INVENTORY_HEADER, rows
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_balances(request):
    context = {
        "page": _page(request, reports.containers()),
        "totals": reports.held_totals(),
        "page_query": "",
        "csv_url": reverse("controlled:report_balances_csv"),
    }
    return render(request, "controlled/reports/balances.html", context)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_balances_csv(request):
    rows = report_rows.balances_rows(reports.containers())
    return _csv(f"container-balances-{timezone.localdate()}", report_rows.BALANCES_HEADER, rows)


def _container(pk):
    return get_object_or_404(Container.objects.with_balance().select_related("product"), pk=pk)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_container_balance(request, pk):
    container = _container(pk)
    log_access(request, AccessKind.CLINIC_REPORT, subject=f"Running balance of {container}")
    context = {
        "container": container,
        "page": _page(request, reports.running_balance(container)),
        "page_query": "",
        "csv_url": reverse("controlled:report_container_balance_csv", args=[pk]),
    }
    return render(request, "controlled/reports/container_balance.html", context)


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def report_container_balance_csv(request, pk):
    container = _container(pk)
    log_access(request, AccessKind.CLINIC_REPORT_CSV, subject=f"Running balance of {container}")
    rows = report_rows.running_rows(reports.running_balance(container), _zone())
    return _csv(f"container-{container.label}-balance", report_rows.RUNNING_HEADER, rows)
