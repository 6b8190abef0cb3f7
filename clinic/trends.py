"""Outcome trends: response and remission, and the layout of a server-drawn SVG chart.

Everything here is plain data in, plain data out, so the chart is tested
without a database and drawn by a template (templates/partials/trend_chart.html)
with no script and no inline style: readable without colour (each instrument
has its own marker shape and line pattern) and backed by a table of numbers.
The markers and the table, one entry per score, are written here: a template's
loop over years of scores costs more than the rest of the patient page.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.dateformat import format as date_format
from django.utils.html import format_html_join

PHQ9_MAX = 27
GAD7_MAX = 21
REMISSION_BELOW = 5  # PHQ-9 below 5 is remission (docs/CLINICAL.md)
RESPONSE_DROP = 0.5  # a drop of at least 50% from baseline is a response


@dataclass(frozen=True)
class Score:
    taken_on: datetime.date
    total: int


def phq9_outcome(baseline, latest):
    """'remission', 'response' or None for the latest PHQ-9 against the baseline."""
    if baseline is None or latest is None:
        return None
    if latest < REMISSION_BELOW:
        return "remission"
    if baseline > 0 and latest <= baseline * (1 - RESPONSE_DROP):
        return "response"
    return None


@dataclass(frozen=True)
class PlotPoint:
    x: float
    y: float
    taken_on: datetime.date
    total: int

    @property
    def square_x(self):
        return round(self.x - 4, 1)

    @property
    def square_y(self):
        return round(self.y - 4, 1)


MARKERS = {
    "circle": '<circle cx="{}" cy="{}" r="4.5" class="trend-marker trend-marker-phq9">'
    "<title>{} {} on {}</title></circle>",
    "square": '<rect x="{}" y="{}" width="8" height="8" class="trend-marker trend-marker-gad7">'
    "<title>{} {} on {}</title></rect>",
}


@dataclass(frozen=True)
class PlotLine:
    name: str
    marker: str  # "circle" or "square": the shape tells the lines apart
    dashed: bool
    points: list
    polyline: str

    @property
    def markers(self):
        """The SVG markers, written here: a year of scores is too many loops for a template."""
        square = self.marker == "square"
        return format_html_join(
            "",
            MARKERS[self.marker],
            (
                (
                    point.square_x if square else point.x,
                    point.square_y if square else point.y,
                    self.name,
                    point.total,
                    date_format(point.taken_on, "M j, Y"),
                )
                for point in self.points
            ),
        )


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line, such as the remission threshold.

    Its label is written under the chart, with the line's pattern, not on the chart, where
    it could cross the data line.
    """

    label: str
    y: float
    pattern: str = "dotted"  # "dotted" (remission) or "dash-dot" (response)


@dataclass
class TrendChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list = field(default_factory=list)
    guides: list = field(default_factory=list)
    session_xs: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)
    x_labels: list = field(default_factory=list)
    baseline: int | None = None
    latest: int | None = None
    outcome: str | None = None
    rows: list = field(default_factory=list)

    @property
    def axis_label_x(self):
        return self.left - 6

    @property
    def tick_end(self):
        return self.bottom + 8

    @property
    def date_label_y(self):
        return self.bottom + 24

    @property
    def is_empty(self):
        return not any(line.points for line in self.lines)

    @property
    def table_rows(self):
        """The table of every score, written here for the same reason as the markers."""
        return format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            (
                (date_format(day, "m/d/Y"), _or_dash(phq9), _or_dash(gad7))
                for day, phq9, gad7 in self.rows
            ),
        )


def _or_dash(total):
    return "—" if total is None else total


def trend_chart(*, phq9, gad7=(), sessions=(), width=640, height=280):
    """Lay out a chart of PHQ-9 and GAD-7 totals over time, with sessions marked.

    `phq9` and `gad7` are iterables of Score; `sessions` of dates. The PHQ-9
    baseline is the first PHQ-9; response and remission are judged on the last.
    """
    phq9 = sorted(phq9, key=lambda s: s.taken_on)
    gad7 = sorted(gad7, key=lambda s: s.taken_on)
    sessions = sorted(sessions)
    chart = TrendChart(width=width, height=height, left=44, right=width - 16, top=16,
                       bottom=height - 40)  # fmt: skip
    days = [s.taken_on for s in phq9] + [s.taken_on for s in gad7] + list(sessions)
    if phq9:
        chart.baseline = phq9[0].total
        chart.latest = phq9[-1].total
        chart.outcome = phq9_outcome(chart.baseline, chart.latest)
    chart.rows = _table_rows(phq9, gad7)
    if not days:
        chart.lines = [_line("PHQ-9", "circle", False, [], chart, None)]
        return chart

    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x_of(day):
        if first == last:
            return (chart.left + chart.right) / 2
        return chart.left + (chart.right - chart.left) * (day - first).days / span

    chart.lines = [
        _line("PHQ-9", "circle", False, phq9, chart, x_of),
        _line("GAD-7", "square", True, gad7, chart, x_of),
    ]
    chart.session_xs = [round(x_of(day), 1) for day in sessions]
    chart.y_ticks = [(value, _y(chart, value, PHQ9_MAX)) for value in (0, 5, 10, 15, 20, 27)]
    chart.x_labels = [(chart.left, first, "start")]
    if last != first:
        chart.x_labels.append((chart.right, last, "end"))
    chart.guides.append(
        Guide(f"Remission (PHQ-9 below {REMISSION_BELOW})", _y(chart, REMISSION_BELOW, PHQ9_MAX))
    )
    if chart.baseline:
        response_level = chart.baseline * (1 - RESPONSE_DROP)
        chart.guides.append(
            Guide(
                f"Response (PHQ-9 {response_level:g} or less)",
                _y(chart, response_level, PHQ9_MAX),
                pattern="dash-dot",
            )
        )
    return chart


def _y(chart, value, maximum):
    return round(chart.bottom - (chart.bottom - chart.top) * value / maximum, 1)


def _line(name, marker, dashed, scores, chart, x_of):
    # Both instruments share the PHQ-9 scale (0-27) so that their totals compare.
    points = [
        PlotPoint(round(x_of(s.taken_on), 1), _y(chart, s.total, PHQ9_MAX), s.taken_on, s.total)
        for s in scores
    ]
    polyline = " ".join(f"{p.x},{p.y}" for p in points)
    return PlotLine(name, marker, dashed, points, polyline)


def _table_rows(phq9, gad7):
    by_day = {}
    for score in phq9:
        by_day.setdefault(score.taken_on, [None, None])[0] = score.total
    for score in gad7:
        by_day.setdefault(score.taken_on, [None, None])[1] = score.total
    return [(day, *totals) for day, totals in sorted(by_day.items())]
