"""Counts: start one for a location, enter what is on the shelf, resolve what differs."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count as Tally
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from controlled import counts
from controlled.forms import CountForm, CountStartForm, ResolutionForm
from controlled.models import Count, CountKind, CountLine
from controlled.reference_data import CUSTODIAN

COUNTS_PER_PAGE = 25
MOST_SHOWN = 1000


def _shown(request):
    """The containers the count's page listed, from its POST (None on a GET, or if absent)."""
    if request.method != "POST":
        return None
    pks = request.POST.get("shown", "").split(",")[:MOST_SHOWN]
    return [int(pk) for pk in pks if pk.isdigit() and len(pk) < 10] or None


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def count_list(request):
    listed = (
        Count.objects.select_related("location", "counted_by", "second_counter")
        .annotate(
            differences=Tally("lines", filter=~Q(lines__counted_mg=F("lines__expected_mg"))),
            unresolved=Tally(
                "lines",
                filter=~Q(lines__counted_mg=F("lines__expected_mg"))
                & Q(lines__resolution__isnull=True),
            ),
        )
        .order_by("-counted_at", "-pk")
    )
    page = Paginator(listed, COUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "controlled/count_list.html", {"page": page, "start_form": CountStartForm()}
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def count_new(request):
    start = CountStartForm(request.GET)
    if not start.is_valid():
        return render(
            request,
            "controlled/count_list.html",
            {"page": None, "start_form": start},
        )
    kind, location = start.cleaned_data["kind"], start.cleaned_data["location"]
    containers = counts.containers_to_count(kind=kind, location=location)
    shown = _shown(request)
    if shown is not None:
        containers = counts.containers_shown(location=location, pks=shown)
    form = CountForm(request.POST or None, request=request, containers=containers)
    if request.method == "POST" and form.is_valid():
        try:
            count = counts.count_save(
                kind=kind,
                location=location,
                counted=form.counted(),
                by=request.user,
                second_counter=form.witness,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The count is saved.")
            return redirect("controlled:count", count.pk)
    return render(
        request,
        "controlled/count_form.html",
        {
            "form": form,
            "kind": CountKind(kind),
            "location": location,
            "query": request.GET.urlencode(),
        },
    )


def _count_page(request, count, resolving=None, resolution_form=None):
    lines = list(
        count.lines.select_related(
            "container__product", "resolution__resolved_by", "adjustment"
        ).order_by("container__product__name", "container__expires_on", "pk")
    )
    return render(
        request,
        "controlled/count_detail.html",
        {
            "count": count,
            "lines": lines,
            "resolving": resolving,
            "resolution_form": resolution_form or ResolutionForm(),
        },
    )


@permission_required(CUSTODIAN, raise_exception=True)
@require_safe
def count_detail(request, pk):
    count = get_object_or_404(
        Count.objects.select_related("location", "counted_by", "second_counter"), pk=pk
    )
    return _count_page(request, count)


@permission_required([CUSTODIAN, "controlled.resolve_discrepancy"], raise_exception=True)
@require_POST
def line_resolve(request, pk):
    line = get_object_or_404(
        CountLine.objects.select_related(
            "count__location", "count__counted_by", "count__second_counter"
        ),
        pk=pk,
    )
    form = ResolutionForm(request.POST)
    if form.is_valid():
        try:
            counts.difference_resolve(
                line=line,
                note=form.cleaned_data["note"],
                adjust=form.cleaned_data["adjust"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The difference is resolved.")
            return redirect("controlled:count", line.count_id)
    return _count_page(request, line.count, resolving=line.pk, resolution_form=form)
