import datetime

import pytest
from django.template.loader import render_to_string

from clinic.trends import Score, phq9_outcome, trend_chart

DAY = datetime.date(2026, 1, 5)


def weekly(totals, start=DAY):
    return [Score(start + datetime.timedelta(weeks=i), total) for i, total in enumerate(totals)]


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (19, 8, "response"),  # Dr Chen's patient: 19 -> 8 is more than a 50% drop
        (20, 10, "response"),  # exactly 50% counts
        (20, 11, None),
        (19, 4, "remission"),
        (19, 5, "response"),  # 5 is not remission (below 5), but it is a response
        (9, 5, None),  # neither: not below 5, and not half of 9
        (6, 3, "remission"),
        (0, 0, "remission"),
        (None, 7, None),
    ],
)
def test_response_and_remission(baseline, latest, expected):
    assert phq9_outcome(baseline, latest) == expected


def render(chart):
    return render_to_string("partials/trend_chart.html", {"chart": chart})


def test_a_chart_with_no_scores_says_so_and_draws_nothing():
    chart = trend_chart(phq9=[])

    html = render(chart)

    assert chart.is_empty
    assert "No questionnaire scores yet." in html
    assert "<svg" not in html


def test_a_chart_with_one_score_centres_it_and_shows_the_baseline():
    chart = trend_chart(phq9=[Score(DAY, 19)])

    html = render(chart)

    (point,) = chart.lines[0].points
    assert point.x == (chart.left + chart.right) / 2
    assert chart.baseline == chart.latest == 19
    assert html.count("<circle") == 1
    assert "<td>19</td>" in html
    assert chart.outcome is None


def test_a_chart_with_fifty_scores_draws_each_and_tabulates_each():
    phq9 = weekly([max(0, 22 - i // 2) for i in range(50)])
    sessions = [DAY + datetime.timedelta(days=2 * i) for i in range(6)]

    chart = trend_chart(phq9=phq9, sessions=sessions)
    html = render(chart)

    assert html.count("<circle") == 50
    assert html.count('class="trend-session"') == 6
    assert len(chart.rows) == 50
    xs = [point.x for point in chart.lines[0].points]
    assert xs == sorted(xs)
    assert xs[0] == chart.left
    assert xs[-1] == chart.right


def test_lower_scores_are_drawn_lower_on_the_chart():
    chart = trend_chart(phq9=weekly([19, 8]))

    first, second = chart.lines[0].points

    assert second.y > first.y


def test_the_chart_marks_response_and_remission_levels():
    chart = trend_chart(phq9=weekly([19, 12, 8]))

    html = render(chart)

    assert chart.outcome == "response"
    assert "dash-dot line across: Response (PHQ-9 9.5 or less)" in html
    assert "dotted line across: Remission (PHQ-9 below 5)" in html
    assert ">Response</span>" in html
    # The labels are under the chart, never on it, where they could cross the data line.
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert "Remission" not in svg.split("</desc>")[1]
    assert 'class="trend-guide trend-guide-dotted"' in svg
    assert 'class="trend-guide trend-guide-dash-dot"' in svg


def test_phq9_and_gad7_are_told_apart_by_shape_and_line_not_only_colour():
    chart = trend_chart(phq9=weekly([15, 10]), gad7=weekly([12, 9]))

    html = render(chart)

    assert html.count("<circle") == 2
    assert html.count("<rect") == 2
    assert "trend-line-dashed" in html
    assert "<title" in html


def test_the_table_lines_up_scores_taken_on_the_same_day():
    chart = trend_chart(phq9=[Score(DAY, 15)], gad7=[Score(DAY, 11), Score(DAY.replace(day=9), 7)])

    assert chart.rows == [(DAY, 15, 11), (DAY.replace(day=9), None, 7)]


def test_the_chart_has_no_inline_styles_or_scripts():
    html = render(trend_chart(phq9=weekly([19, 8]), gad7=weekly([12, 6])))

    assert "style=" not in html
    assert "<script" not in html


def test_the_markers_and_table_are_written_with_each_score_and_its_date():
    from django.test.html import parse_html

    chart = trend_chart(
        phq9=[Score(datetime.date(2026, 1, 5), 20), Score(datetime.date(2026, 2, 2), 4)],
        gad7=[Score(datetime.date(2026, 1, 5), 12)],
    )
    phq9, gad7 = chart.lines

    circles = parse_html(str(phq9.markers))
    assert [child.name for child in circles.children] == ["circle", "circle"]
    assert "PHQ-9 20 on Jan 5, 2026" in str(phq9.markers)
    square = parse_html(str(gad7.markers))
    assert square.name == "rect"
    assert dict(square.attributes)["x"] == str(gad7.points[0].square_x)
    assert parse_html(str(chart.table_rows)) == parse_html(
        '<tr><th scope="row">01/05/2026</th><td>20</td><td>12</td></tr>'
        '<tr><th scope="row">02/02/2026</th><td>4</td><td>—</td></tr>'
    )
