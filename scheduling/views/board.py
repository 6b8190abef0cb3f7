"""The patient flow board: the whole page, and the rows its script fetches to stay current."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic.middleware import not_activity
from scheduling.board import board_rows, state_counts


def _board(request, template_name):
    now = timezone.now()
    rows = board_rows(timezone.localdate(now), request.clinic.zone, now=now)
    wall = request.GET.get("wall") == "1"
    return render(
        request,
        template_name,
        {
            "rows": rows,
            # A wall screen shows who is in the clinic or still expected; the rest are counted.
            "shown": [row for row in rows if not (wall and row.finished)],
            "counts": state_counts(rows),
            "now": now,
            "wall": wall,
            "query": "wall=1" if wall else "",
            "refresh_seconds": settings.FLOW_BOARD_REFRESH_SECONDS,
        },
    )


@permission_required("scheduling.view_appointment", raise_exception=True)
@require_safe
def flow_board(request):
    return _board(request, "scheduling/board.html")


@not_activity
@permission_required("scheduling.view_appointment", raise_exception=True)
@require_safe
def flow_board_rows(request):
    return _board(request, "scheduling/board.html#rows")
